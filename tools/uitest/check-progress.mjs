// check-progress.mjs opens the Temporal web UI (as served by devserver) in
// Debian's chromium, headless, and checks that a running sync's progress is
// visible there:
//
//  1. the workflows list of namespace "default" shows the sync, Running;
//  2. its page, opened from the list, names it and says Running, and shows
//     its summary (SYNC_SUMMARY), its current details (a table with a row
//     per table: calls and call_legs running, at least one table done) and
//     the summary of the calls export's activity ("calls: export from ...");
//  3. "Pending Activities" shows the calls and call_legs exports with
//     heartbeat details (the activities' Checkpoint: start_time, rows, pages);
//  4. "Queries" runs the workflow's "progress" query: calls and call_legs
//     running, at least one table done with rows;
//  5. with DONE_WORKFLOW_ID, a finished sync's page says Completed, shows
//     its summary (DONE_SUMMARY) and current details with every table done,
//     and a result whose durations are text ("duration": "0.52s").
//
// usage: node check-progress.mjs <ui-url> <workflow-id> [screenshot-dir]
//
// It exits 0 when all is visible, 1 with the failed step otherwise, and
// leaves a screenshot of the last page either way (its path is printed).
// e2e/webui_test.go runs it (TestWebUIShowsSyncProgress). Needs Debian's
// chromium (apt-get install chromium; CHROMIUM overrides the path) and
// `npm ci` here: playwright-core only, which downloads no browser.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [ui, workflowId, shotDir = mkdtempSync(join(tmpdir(), 'uitest-'))] = process.argv.slice(2);
if (!ui || !workflowId) {
  console.error('usage: node check-progress.mjs <ui-url> <workflow-id> [screenshot-dir]');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const timeout = Number(process.env.UITEST_TIMEOUT_MS || 15000); // per wait
const exports = ['calls', 'call_legs'];
const { SYNC_SUMMARY: summary, DONE_WORKFLOW_ID: doneId, DONE_SUMMARY: doneSummary } = process.env;

// playwright's launch gives chromium a fresh temporary profile
// (--user-data-dir) and removes it on close. Without the background
// networking flags chromium's own connections get refused here, many at once.
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.setDefaultTimeout(timeout);
const started = Date.now();
let step = '';
const log = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const begin = (s) => { step = s; log(s); };

async function screenshot(name) {
  const path = join(shotDir, name);
  await page.screenshot({ path, fullPage: true });
  log(`screenshot: ${path}`);
}

// waitJSON reads the read-only JSON editors labelled name until
// accept(their parsed texts) returns a value, and returns it; between tries
// it runs refresh (a reload, a re-run query), which waits for the page.
async function waitJSON(name, accept, refresh) {
  const box = page.getByRole('textbox', { name, exact: true });
  const deadline = Date.now() + timeout;
  let seen = '(no such box)';
  for (;;) {
    try {
      await box.first().waitFor({ timeout: Math.max(1, deadline - Date.now()) });
    } catch {
      break;
    }
    const texts = await box.allTextContents();
    const got = accept(texts.map((t) => { try { return JSON.parse(t); } catch { return undefined; } }));
    if (got) return got;
    seen = texts.join('\n');
    if (Date.now() > deadline) break;
    await refresh();
  }
  throw new Error(`"${name}" did not show what was expected within ${timeout} ms; last seen:\n${seen}`);
}

// pageText is the text of the page and of its frames (the web UI renders
// user markdown, such as current details, in a sandboxed iframe).
async function pageText() {
  const texts = await Promise.all(page.frames().map((f) => f.evaluate(() => document.body.innerText).catch(() => '')));
  return texts.join('\n');
}

// waitText waits until the page's text (frames included) matches every
// pattern, reloading between tries, and returns the text.
async function waitText(what, patterns) {
  const deadline = Date.now() + timeout;
  let text = '';
  for (;;) {
    text = await pageText();
    const missing = patterns.filter((p) => !p.test(text));
    if (missing.length === 0) return text;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not shown within ${timeout} ms: ${missing.join(', ')}; page text:\n${text.slice(0, 3000)}`);
    }
    await page.waitForTimeout(500);
  }
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// A row of the current details table, as innerText renders it (cells
// separated by tabs), or as the markdown source if shown unrendered.
const row = (table, state) => new RegExp(`(^|\\n)\\|?\\s*${table}\\s*\\|?\\s*${state}\\b`, 'm');

try {
  begin(`workflows list: ${ui}/namespaces/default/workflows`);
  await page.goto(`${ui}/namespaces/default/workflows`);
  const link = page.getByRole('link', { name: workflowId, exact: true });
  await link.waitFor();
  await page.getByRole('row').filter({ has: link }).getByText('Running', { exact: true }).waitFor();

  begin('workflow page, opened from the list');
  await link.click();
  await page.getByRole('heading', { level: 1 }).filter({ hasText: workflowId }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Running' }).waitFor();

  begin('User Metadata: summary, details, current details');
  await page.getByRole('tab', { name: 'User Metadata' }).click();
  const seen = await waitText('summary and current details', [
    ...(summary ? [new RegExp(escape(summary))] : []),
    /Details[\s\S]*Tables \(\d+\): calls, call_legs/,
    /Current Details/,
    /table\s*\|?\s*state\s*\|?\s*rows\s*\|?\s*pages/,
    ...exports.map((t) => row(t, 'running')),
    row('[a-z_]+', 'done'),
  ]);
  log(`  summary: ${summary || '(not checked)'}`);
  log(`  current details: ${(seen.match(/\d+ tables: [^\n]*/) || ['?'])[0]}`);
  await screenshot('workflow-running.png');

  begin('Timeline: activity summaries');
  await page.getByRole('tab', { name: 'Timeline' }).click();
  const timeline = await waitText('activity summaries', [
    /calls: export from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/,
    /ivrs: snapshot \(also ivr_menus, ivr_routes\)/,
  ]);
  log(`  ${(timeline.match(/calls: export from \S+/) || [''])[0]}`);
  await screenshot('workflow-timeline.png');

  begin('Pending Activities: heartbeat details of the exports');
  await page.getByRole('tab', { name: /Pending Activities/ }).click();
  await page.getByText('SyncTable').first().waitFor();
  const checkpoints = await waitJSON('Heartbeat Details', (details) => {
    const found = {};
    for (const cp of details) {
      for (const table of exports) {
        if (cp && cp.start_time > 0 && cp.pages >= 1 && cp.rows?.[table] > 0) found[table] = cp;
      }
    }
    return exports.every((t) => found[t]) && found;
  }, () => page.reload());
  for (const t of exports) {
    log(`  ${t}: pages ${checkpoints[t].pages}, rows ${checkpoints[t].rows[t]}, start_time ${checkpoints[t].start_time}`);
  }
  await screenshot('pending-activities.png');

  begin('Queries: the progress query');
  await page.getByRole('tab', { name: 'Queries' }).click();
  await page.getByRole('button').filter({ has: page.getByLabel('Query Type') }).click();
  await page.getByRole('option', { name: 'progress', exact: true }).click();
  // Unformatted, the result is one line, which the editor renders whole
  // (formatted, it renders only the lines in view).
  await page.getByRole('switch', { name: 'JSON Formatting' }).uncheck({ force: true });
  await page.getByRole('button', { name: 'Run Query' }).click();
  const progress = await waitJSON('Query Result', ([tables]) => {
    if (!Array.isArray(tables)) return undefined;
    const state = Object.fromEntries(tables.map((p) => [p.table, p]));
    const done = tables.filter((p) => p.state === 'done' && p.result?.rows > 0);
    return exports.every((t) => state[t]?.state === 'running') && done.length > 0 && { tables, done };
  }, () => Promise.all([
    page.waitForResponse((r) => r.url().includes('/query')),
    page.getByRole('button', { name: 'Refresh Query' }).click(),
  ]));
  log(`  ${progress.tables.map((p) => `${p.table}=${p.state}`).join(' ')}`);

  await screenshot('progress-query.png');

  if (doneId) {
    begin(`a finished sync's page: ${doneId}`);
    await page.goto(`${ui}/namespaces/default/workflows/${encodeURIComponent(doneId)}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: doneId }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Completed' }).waitFor();
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    const done = await waitText('finished sync', [
      ...(doneSummary ? [new RegExp(escape(doneSummary))] : []),
      /\d+ tables\W+\d+ done/,
      row('addresses', 'done'),
    ]);
    if (/\brunning\b|\bwaiting\b/.test(done.slice(done.indexOf('Current Details')))) {
      throw new Error('a finished sync still shows a running or waiting table');
    }
    await screenshot('workflow-completed.png');
    // The result, unformatted (one line, rendered whole): durations as text.
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByRole('switch', { name: 'JSON Formatting' }).first().uncheck({ force: true }).catch(() => {});
    const [result] = await waitJSON('Result', (vals) => vals.find((v) => v && Array.isArray(v.tables)) && vals.filter((v) => v && v.tables), () => page.reload());
    const bad = result.tables.filter((t) => typeof t.duration !== 'string' || !/^[\d.]+(ms|s|m|h)/.test(t.duration));
    if (bad.length > 0) throw new Error(`result durations not text: ${JSON.stringify(bad.slice(0, 2))}`);
    log(`  result: ${result.tables.map((t) => `${t.table} ${t.rows} rows in ${t.duration}`).join(', ')}`);
    await screenshot('workflow-completed-result.png');
  }
  log(`OK: the progress of ${workflowId} is visible in the web UI`);
} catch (err) {
  console.error(`FAILED at "${step}" (${page.url()}): ${err.message.split('\n').slice(0, 12).join('\n')}`);
  await screenshot('FAILED.png').catch((e) => console.error(`no screenshot: ${e.message}`));
  process.exitCode = 1;
} finally {
  await browser.close();
}
