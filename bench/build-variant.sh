#!/bin/sh
# Builds dist/ of HEAD (without uncommitted changes) into DIR, with the src/ changes of the given commits
# reverted, to measure what a change did: `npm run bench -- --baseline DIR/dist` runs that build beside the
# current one. Usage: bench/build-variant.sh DIR [COMMIT ...]
set -eu
dir=$1
shift
root=$(git rev-parse --show-toplevel)
rm -rf "$dir"
mkdir -p "$dir"
git -C "$root" archive HEAD src tsconfig.json tsconfig.build.json package.json | tar -x -C "$dir"
ln -s "$root/node_modules" "$dir/node_modules"
for commit in "$@"; do
  git -C "$root" show "$commit" -- src | (cd "$dir" && patch -R -p1 --no-backup-if-mismatch --quiet)
done
(cd "$dir" && "$root/node_modules/.bin/tsc" -p tsconfig.build.json)
echo "$dir/dist"
