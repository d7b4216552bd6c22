// `openlines clock get | advance SECONDS | set TIME`: the test clock of a RUNNING server (DECISIONS.md "Test
// clock"). A clock lives in the server's process, so the command cannot move it from here: it calls the server's
// openlines.clock.* methods through an administrator's incoming webhook (--webhook URL or OPENLINES_WEBHOOK, the
// URL printed at first start or made with `openlines webhook create --user 1 --scope imopenlines`).

import type { Command } from 'commander';
import { CliError } from '../output.js';

interface ClockResult {
  TIME: string;
  MANUAL: boolean;
}

/** The webhook URL, ending in '/', from --webhook or OPENLINES_WEBHOOK. */
function webhookOf(command: Command): string {
  const given = (command.optsWithGlobals() as { webhook?: string }).webhook ?? process.env.OPENLINES_WEBHOOK ?? '';
  if (!given)
    throw new CliError(
      "openlines clock talks to a running server: give an administrator's webhook URL with --webhook URL or " +
        'OPENLINES_WEBHOOK (printed at first start; `openlines webhook create --user 1 --scope imopenlines` makes one)',
    );
  if (!/^https?:\/\/[^/]+\/rest\/\d+\/[^/]+\/?$/.test(given))
    throw new CliError(
      `--webhook must be an incoming webhook URL like http://127.0.0.1:8080/rest/1/CODE/, got '${given}'`,
    );
  return given.endsWith('/') ? given : `${given}/`;
}

async function callClock(command: Command, method: string, params: Record<string, unknown>): Promise<ClockResult> {
  const hook = webhookOf(command);
  let response: Response;
  try {
    response = await fetch(`${hook}${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(params),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new Error(`cannot reach the server at ${new URL(hook).origin}: ${cause}`);
  }
  const text = await response.text();
  let body: { result?: ClockResult; error?: string; error_description?: string } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (body?.error) throw new CliError(`${body.error}: ${body.error_description ?? ''}`);
  if (!response.ok || !body?.result)
    throw new Error(`the server answered HTTP ${response.status}: ${text.slice(0, 200)}`);
  return body.result;
}

function print(result: ClockResult): void {
  process.stdout.write(`${result.TIME}\t${result.MANUAL ? 'manual' : 'system'}\n`);
}

export function registerClockCommand(program: Command): void {
  const clock = program
    .command('clock')
    .description(
      "a running server's clock: read it, or move a test clock (serve --clock manual); every job that falls due " +
        'runs before the command returns. Prints the time and manual|system',
    )
    .option('--webhook <url>', "an administrator's incoming webhook URL (default: $OPENLINES_WEBHOOK)");
  clock
    .command('get')
    .description("print the server's time")
    .action(async (_o, command: Command) => print(await callClock(command, 'openlines.clock.get', {})));
  clock
    .command('advance')
    .description('move the test clock forward')
    .argument('<seconds>', 'how far, in seconds (fractions allowed)')
    .action(async (seconds: string, _o, command: Command) =>
      print(await callClock(command, 'openlines.clock.advance', { SECONDS: seconds })),
    );
  clock
    .command('set')
    .description('move the test clock to a moment (not before its time)')
    .argument('<time>', 'ISO-8601 with its offset, e.g. 2026-12-24T09:00:00+00:00')
    .action(async (time: string, _o, command: Command) =>
      print(await callClock(command, 'openlines.clock.set', { TIME: time })),
    );
}
