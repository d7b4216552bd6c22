import type { Command } from 'commander';
import { CONTACT_CENTER_PATH } from '../../methods/imopenlines-config.js';
import { startServer } from '../../server.js';
import { describeStore } from '../../store/open-store.js';
import { settingsOf } from '../output.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the server (HTTP and HTTPS)')
    .option('--port <port>', 'HTTP port (default: $PORT or 8080)')
    .option('--https-port <port>', 'HTTPS port, -1 to disable (default: $HTTPS_PORT or 8443)')
    .option('--host <host>', 'address to listen on (default: $HOST or 127.0.0.1)')
    .option('--strict', 'strict validation: errors instead of Bitrix24-style substitutions')
    .option('--require-https', 'refuse plain-HTTP REST calls with 400 INVALID_REQUEST')
    .option('--rate-plan <plan>', 'request-rate plan: standard, enterprise or off')
    .option('--operating-limit <seconds>', 'per-method operating-time limit per 10 minutes (0: off)')
    .option('--public-url <url>', 'public base URL, e.g. https://lines.example.com')
    .option(
      '--clock <clock>',
      'system, or manual: a test clock that starts at the real time and moves only with `openlines clock advance` ' +
        '(one server only; default: $OPENLINES_CLOCK or system)',
    )
    .action(async (flags: Record<string, string | boolean | undefined>, command: Command) => {
      const settings = settingsOf(command, {
        ...(typeof flags.port === 'string' ? { port: flags.port } : {}),
        ...(typeof flags.httpsPort === 'string' ? { httpsPort: flags.httpsPort } : {}),
        ...(typeof flags.host === 'string' ? { host: flags.host } : {}),
        ...(flags.strict ? { strict: true } : {}),
        ...(flags.requireHttps ? { requireHttps: true } : {}),
        ...(typeof flags.ratePlan === 'string' ? { ratePlan: flags.ratePlan } : {}),
        ...(typeof flags.operatingLimit === 'string' ? { operatingLimit: flags.operatingLimit } : {}),
        ...(typeof flags.publicUrl === 'string' ? { publicUrl: flags.publicUrl } : {}),
        ...(typeof flags.clock === 'string' ? { clock: flags.clock } : {}),
      });
      const server = await startServer(settings);
      const out = (line: string) => process.stdout.write(`${line}\n`);
      out(`openlines is listening on ${server.httpUrl}${server.httpsUrl ? ` and ${server.httpsUrl}` : ''}`);
      out(`Store: ${describeStore(settings.databaseUrl)}`);
      if (settings.clock === 'manual') {
        const now = new Date(server.services.clock.now()).toISOString();
        out(`Test clock: manual, at ${now}; it moves only with \`openlines clock advance SECONDS\` (one server only)`);
      }
      if (server.certPath) {
        out(`TLS certificate: ${server.certPath} (trust it with NODE_EXTRA_CA_CERTS=${server.certPath})`);
      }
      if (server.firstWebhook) {
        const { userId, code } = server.firstWebhook;
        out(`Incoming webhook: ${server.httpUrl}/rest/${userId}/${code}/`);
        if (server.httpsUrl) out(`Incoming webhook: ${server.httpsUrl}/rest/${userId}/${code}/`);
      } else {
        out('Webhooks: the first one was printed on first start; make another with');
        out('  npx openlines webhook create --user 1 --scope imopenlines,imconnector');
      }
      // The pages to try a line with: the admin page (lines, each line's chat link), the operators' workplace and a
      // line's customer chat.
      const base = settings.publicUrl || server.httpUrl;
      out(`Admin page: ${base}/admin/ (sign in with the webhook URL)`);
      out(`Operator workplace: ${base}/operator/ (sign in with an operator's webhook URL)`);
      out(
        `Customer chat: ${base}${CONTACT_CENTER_PATH}<line id>/ (e.g. ${base}${CONTACT_CENTER_PATH}1/ for the first line)`,
      );
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        out(`${signal} received: finishing requests and closing the store`);
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
