// The admin page in a real browser (playwright-core driving Debian's /usr/bin/chromium, installed by .ci/run):
// sign in with the first webhook, create a line with the seed's values through the form, find it in the list,
// edit QUEUE_TIME, see the revision in the history, see a validation message next to its field, delete the
// line; see a failed event delivery and retry it. Each screen is saved under test/artifacts/admin/ (git-ignored) for a human to look at.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { EventReceiver } from '../helpers/event-receiver.js';
import { SEED_PARAMS } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = join('test', 'artifacts', 'admin');
const WAIT_MS = 20_000;

/** Sets one form control the way a person would, whatever widget the catalogue chose for the field. */
async function setField(page: Page, name: string, value: unknown): Promise<void> {
  const control = page.locator(`#f-${name}`);
  const kind = await control.evaluate((el) =>
    el.tagName === 'INPUT' ? `input:${el.getAttribute('type') ?? 'text'}` : el.tagName.toLowerCase(),
  );
  if (kind === 'input:checkbox') await control.setChecked(value === 'Y');
  else if (kind === 'select') await control.selectOption(String(value));
  else if (kind === 'div') {
    // A group of checkboxes (days of the week).
    const wanted = new Set((value as readonly string[]).map(String));
    for (const box of await control.locator('input[type=checkbox]').all()) {
      await box.setChecked(wanted.has((await box.getAttribute('value')) ?? ''));
    }
  } else await control.fill(String(value));
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

describe('admin page (Chromium)', () => {
  let t: TestServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // One attempt per delivery: a handler's first failure is kept as failed at once.
    t = await startTestServer({ settings: { eventAttempts: 1 } });
    // The seed's queue names users 1, 15 and 23: give the portal that many users.
    for (let i = 2; i <= 23; i++) await t.server.directory.addUser({ name: `Operator ${i}` });
    profile = mkdtempSync(join(tmpdir(), 'openlines-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1440, height: 900 },
    });
    context.setDefaultTimeout(WAIT_MS);
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close();
    await t?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('admin page: signs in, creates the seed line through the form, edits QUEUE_TIME, shows the revision, deletes it', async () => {
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    // Sign in with user 1's webhook URL; the credential stays in sessionStorage only.
    await page.goto(`${t.url}/admin/`);
    await page.locator('#credential').waitFor();
    await shot(page, '01-sign-in');
    await page.locator('#credential').fill(t.hook);
    await page.locator('#sign-in').click();
    await page.locator('#new-line').waitFor();
    await page.locator('.empty').waitFor();
    assert.match(await page.locator('#who').innerText(), /user 1/);
    // Evaluated in the page (this file is compiled without the DOM library).
    const stored = (await page.evaluate(`({
      session: sessionStorage.getItem('openlines.admin.credential'),
      local: localStorage.length,
      cookies: document.cookie,
    })`)) as { session: string | null; local: number; cookies: string };
    assert.match(stored.session ?? '', new RegExp(t.webhookCode));
    assert.equal(stored.local, 0);
    assert.equal(stored.cookies, '');
    await shot(page, '02-list-empty');

    // Create: the seed's values, typed into the generated form.
    await page.locator('#new-line').click();
    await page.locator('#f-QUEUE_TIME').waitFor();
    const { QUEUE, ...fields } = SEED_PARAMS;
    for (const [name, value] of Object.entries(fields)) await setField(page, name, value);
    const rows = page.locator('#f-QUEUE .queue-row');
    assert.equal(await rows.count(), 1, 'a new line starts with the signed-in user');
    for (let i = 1; i < QUEUE.length; i++) await page.locator('#queue-add').click();
    for (const [i, entry] of QUEUE.entries()) {
      await rows.nth(i).locator('select').selectOption(entry.ENTITY_TYPE);
      await rows.nth(i).locator('input').fill(String(entry.ENTITY_ID));
    }
    await shot(page, '03-create-form');
    await page.locator('#save').click();
    await page.waitForURL(/#\/lines\/\d+$/);
    const id = Number(/#\/lines\/(\d+)$/.exec(page.url())![1]);
    await page.locator('#history .revision.action-add').waitFor();

    // The working hours at a glance (openlines.line.schedule): the seed's 09:00-21:00 Europe/Berlin on weekdays.
    const badge = page.locator('#schedule').filter({ hasText: /Europe\/Berlin$/ });
    await badge.waitFor();
    const schedule = (await t.call('openlines.line.schedule', { CONFIG_ID: id })).body.result;
    assert.match(
      await badge.innerText(),
      schedule.OPEN
        ? /^open now · until 21:00 Europe\/Berlin$/
        : /^closed · opens (\w{3} \d{1,2} \w{3} )?09:00 Europe\/Berlin$/,
    );

    // The line the form made equals the one the seed request makes over REST.
    const viaForm = (await t.call('imopenlines.config.get', { CONFIG_ID: id })).body.result;
    const reference = (await t.call('imopenlines.config.add', { PARAMS: SEED_PARAMS })).body.result as number;
    const viaRest = (await t.call('imopenlines.config.get', { CONFIG_ID: reference })).body.result;
    for (const line of [viaForm, viaRest]) {
      for (const key of ['ID', 'DATE_CREATE', 'DATE_MODIFY']) delete line[key];
      // Queue rows have ids of their own.
      for (const operator of Object.values(line.QUEUE_FULL) as { ID?: string }[]) delete operator.ID;
    }
    assert.deepEqual(viaForm, viaRest);
    assert.equal((await t.call('imopenlines.config.delete', { CONFIG_ID: reference })).body.result, true);

    // The list shows it; the search finds it, and finds nothing for another name.
    await page.locator('a.back').click();
    await page.locator(`#lines tr[data-id="${id}"]`).waitFor();
    assert.match(await page.locator(`#lines tr[data-id="${id}"]`).innerText(), /Online Store Support Line/);
    await shot(page, '04-list');
    await page.locator('#search').fill('Store Support');
    await page.waitForURL(/q=Store/);
    await page.locator(`#lines tr[data-id="${id}"]`).waitFor();
    await page.locator('#search').fill('no such line');
    await page.locator('.empty').waitFor();
    await page.locator('#search').fill('');
    await page.locator(`#lines tr[data-id="${id}"]`).waitFor();

    // Paging: 20 lines a page.
    const commands = Object.fromEntries(
      Array.from({ length: 21 }, (_, i) => [`l${i}`, `imopenlines.config.add?PARAMS[LINE_NAME]=Paging%20${i}`]),
    );
    const made = await t.call('batch', { halt: 1, cmd: commands });
    const extra = Object.values(made.body.result.result) as number[];
    assert.equal(extra.length, 21);
    await page.reload();
    await page.locator('#page-info').waitFor();
    assert.equal(await page.locator('#page-info').innerText(), '1–20 of 22');
    assert.equal(await page.locator('#lines tbody tr').count(), 20);
    await page.locator('#next-page').click();
    await page.waitForURL(/page=2/);
    await page.locator('#page-info').filter({ hasText: '21–22 of 22' }).waitFor();
    assert.equal(await page.locator('#lines tbody tr').count(), 2);
    await shot(page, '04b-list-page-2');
    const removed = await t.call('batch', {
      halt: 1,
      cmd: Object.fromEntries(extra.map((lineId) => [`d${lineId}`, `imopenlines.config.delete?CONFIG_ID=${lineId}`])),
    });
    assert.equal(removed.status, 200);
    await page.goto(`${t.url}/admin/#/lines`);
    await page.locator(`#lines tr[data-id="${id}"] a[href^="#/lines/"]`).click();

    // A value the server refuses: the message appears next to the field, and nothing is saved.
    await page.locator('#f-SESSION_PRIORITY').waitFor();
    await page.locator('#f-SESSION_PRIORITY').fill('100000');
    await page.locator('#save').click();
    const fieldError = page.locator('#e-SESSION_PRIORITY');
    await fieldError.waitFor();
    assert.match(await fieldError.innerText(), /SESSION_PRIORITY/);
    assert.match(await fieldError.innerText(), /between 0 and 86400/);
    await shot(page, '05-validation');
    await page.locator('#f-SESSION_PRIORITY').fill('0');

    // Edit QUEUE_TIME: saved, and the revision shows before and after.
    await page.locator('#f-QUEUE_TIME').fill('90');
    await page.locator('#save').click();
    const update = page.locator('#history .revision.action-update');
    await update.waitFor();
    const row = update.locator('tr[data-field="QUEUE_TIME"]');
    assert.match(await row.innerText(), /45\s+90/);
    assert.equal(await update.locator('tbody tr').count(), 1, 'only QUEUE_TIME changed');
    assert.match(await update.innerText(), /user 1/);
    assert.match(await update.innerText(), /webhook/);
    assert.equal((await t.call('imopenlines.config.get', { CONFIG_ID: id })).body.result.QUEUE_TIME, '90');
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, '06-edit-history');

    // Delete, after confirming.
    await page.locator('#delete').click();
    await page.locator('#confirm-delete').waitFor();
    await shot(page, '07-delete-confirm');
    await page.locator('#confirm-delete-button').click();
    await page.waitForURL(/#\/lines$/);
    await page.locator('.empty').waitFor();
    await shot(page, '08-list-after-delete');
    assert.equal((await t.call('imopenlines.config.get', { CONFIG_ID: id })).body.result, false);
    const history = await t.call('openlines.admin.history.get', { LINE_ID: id });
    assert.deepEqual(
      history.body.result.map((r: { action: string }) => r.action),
      ['delete', 'update', 'add'],
    );
    assert.deepEqual(pageErrors, []);
  });

  it('admin page: lists a failed event delivery and retries it', async () => {
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const receiver = new EventReceiver();
    await receiver.start();
    try {
      const app = await t.server.oauth.createApp({ name: 'Flaky handler', scopes: ['imopenlines'] });
      const token = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
      const bound = await t.request('/rest/event.bind', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ event: 'OnOpenlinesLineConfigChange', handler: receiver.url('/flaky'), auth: token }),
      });
      assert.equal(bound.status, 200, bound.text);
      receiver.failFirst = 1;
      assert.equal((await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'Events' } })).status, 200);
      await t.server.scheduler.runDue();
      const failed = await t.call('openlines.admin.events.failed', {});
      const id = failed.body.result[0].id as number;

      await page.locator('#nav-events').click();
      const row = page.locator(`#deliveries tr[data-id="${id}"]`);
      await row.waitFor();
      assert.match(await row.innerText(), /ONOPENLINESLINECONFIGCHANGE[\s\S]*Flaky handler[\s\S]*HTTP 500/);
      await shot(page, '09-failed-events');
      await row.locator('button').click();
      await page.locator('#no-failed').waitFor();
      await receiver.until(1);
      assert.equal(receiver.received[0]!.headers['x-openlines-delivery'], String(id));
      await shot(page, '10-failed-events-retried');
      assert.deepEqual(pageErrors, []);
    } finally {
      await receiver.close();
    }
  });
});
