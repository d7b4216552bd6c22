// A one-line progress bar on stderr for long runs (openlines apply on large files). Drawn only on a terminal,
// so pipes, files and tests see nothing.

export interface Progress {
  update(done: number, total: number): void;
}

const WIDTH = 30;
/** Smaller runs finish before a bar would be worth drawing. */
const MIN_TOTAL = 10;
const REDRAW_MS = 80;

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY !== true) return { update() {} };
  let lastDraw = 0;
  return {
    update(done, total) {
      if (total < MIN_TOTAL) return;
      const now = Date.now();
      if (done < total && now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      const filled = Math.round((WIDTH * done) / total);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total}`);
      if (done >= total) stream.write('\n');
    },
  };
}
