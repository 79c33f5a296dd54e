// Growth over time in real headless Chromium: dropping a series of real profiles taken at
// t0..t3 replaces the demo, lines them up in time order, shows the totals chart and the growth
// ranking with the planted leak first (rows equal to `leakscope growth --json`), opens a row's
// stacks in the flame graph, diffs two points as `leakscope diff --json` does (absolute and
// normalized) with a diff flame graph, and lets the user reorder or leave out points.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES, ROOT, start, openPage, waitFor, dropFiles, fixture, profileItem, showFiles } from './support.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

/** `leakscope <args> --json` as an object. */
function cli(args) {
  const out = execFileSync(path.join(ROOT, 'target/debug/leakscope'), [...args, '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  return JSON.parse(out);
}

const series = (stem, ext = 'pb.gz') => [0, 1, 2, 3].map((t) => `${stem}-${t}.${ext}`);

/** The page's growth rows as { name, trend, values }. */
function growthRows(page) {
  return page.locator('[data-testid=growth-row]').evaluateAll((els) =>
    els.map((e) => ({ name: e.dataset.name, trend: e.dataset.trend, values: JSON.parse(e.dataset.values) })),
  );
}

/** Drops the files of `names` (out of order on purpose) and waits for the growth table. */
async function dropSeries(page, names) {
  const shuffled = [names[2], names[0], names[3], names[1]];
  await dropFiles(page, shuffled.map((n) => fixture(n)));
  await waitFor(async () => (await page.locator('[data-testid=profile-item][data-status=ready]').count()) === names.length, {
    what: 'series decoded',
  });
  // The Findings come first; the series' views are one click away.
  await showFiles(page);
  await page.locator('[data-testid=growth-row]').first().waitFor({ timeout: 20000 });
}

test('a dropped leaky series opens on what grew, planted leak first, as the CLI ranks it', async () => {
  const { page, errors } = await openPage(env);
  const names = series('gin-heap');
  await dropSeries(page, names);
  // The user's files replaced the demo, and they are lined up in the order they were taken.
  const listed = await page.locator('[data-testid=profile-item]').evaluateAll((els) => els.map((e) => e.dataset.name));
  assert.deepEqual(listed, names);
  const labels = await page.locator('[data-testid=point-label]').allTextContents();
  assert.deepEqual(labels, ['t0', 't1', 't2', 't3']);
  assert.equal(await page.locator('[data-testid=load-demo]').count(), 1, 'the Demo button brings the demo back');
  assert.equal(await page.locator('[data-testid=tab-growth]').getAttribute('aria-selected'), 'true');

  // The chart: one panel per sample type, one point per file, hover values.
  const chart = page.locator('[data-testid=series-chart]');
  assert.equal(await chart.getAttribute('data-points'), '4');
  assert.equal(await chart.getAttribute('data-panels'), '4');
  const box = await chart.boundingBox();
  await page.mouse.move(box.x + box.width - 20, box.y + box.height / 2);
  const tip = page.locator('[data-testid=chart-tip]');
  await tip.waitFor();
  assert.match(await tip.textContent(), /t3 · gin-heap-3\.pb\.gz.*inuse_space/);

  // The ranking equals the CLI's, the planted leak first and growing at every step.
  const expected = cli(['growth', ...names.map((n) => path.join(FIXTURES, n))]);
  const rows = await growthRows(page);
  assert.equal(rows[0].name, 'main.captureRequestSnapshot');
  assert.equal(rows[0].trend, 'grows');
  const want = expected.functions.slice(0, rows.length).map((r) => ({ name: r.name, values: r.values }));
  assert.deepEqual(rows.map((r) => ({ name: r.name, values: r.values })), want);
  const growing = rows.filter((r) => r.trend === 'grows').map((r) => r.name);
  for (const leak of ['main.captureRequestSnapshot', 'main.(*responseCache).Put', 'main.newOrder']) {
    assert.ok(growing.includes(leak), `${leak} grows at every step: ${growing}`);
  }

  // By stack: the leak's whole path, ending in the planted function.
  await page.locator('[data-testid=growth-by-stack]').click();
  await waitFor(async () => (await growthRows(page))[0]?.name === expected.stacks[0].name, { what: 'stack ranking' });

  // A row opens its stacks in the flame graph of the last point.
  await page.locator('[data-testid=growth-by-function]').click();
  await page.locator('[data-testid=growth-row]').first().click();
  await waitFor(async () => (await page.locator('[data-testid=view-title]').textContent()) === 'gin-heap-3.pb.gz', { what: 'last point' });
  assert.equal(await page.locator('[data-testid=refine-focus]').inputValue(), '^main\\.captureRequestSnapshot$');
  const canvas = page.locator('canvas.flame-canvas');
  await waitFor(async () => Number(await canvas.getAttribute('data-rects')) > 0, { what: 'focused flame graph' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the diff tab equals leakscope diff, absolute and normalized, with a diff flame graph', async () => {
  const { page, errors } = await openPage(env);
  const names = series('gin-heap');
  await dropSeries(page, names);
  await page.locator('[data-testid=tab-diff]').click();
  const rows = page.locator('[data-testid=diff-row]');
  const pageRows = () => rows.evaluateAll((els) => els.slice(0, 15).map((e) => ({ name: e.dataset.name, delta: Number(e.dataset.delta) })));
  const cliRows = (extra) =>
    cli(['diff', ...extra, path.join(FIXTURES, names[0]), path.join(FIXTURES, names[3])])
      .rows.slice(0, 15)
      .map((r) => ({ name: r.name, delta: r.delta_flat }));
  // Base t0 and new t3 by default.
  const absolute = cliRows([]);
  await waitFor(async () => JSON.stringify(await pageRows()) === JSON.stringify(absolute), { what: 'diff rows = CLI' });
  assert.equal(await page.locator('[data-testid=diff-base] option:checked').textContent(), 't0 · gin-heap-0.pb.gz');
  // The diff flame graph is drawn; hovering names the change.
  const canvas = page.locator('canvas.flame-canvas');
  await waitFor(async () => Number(await canvas.getAttribute('data-rects')) > 0, { what: 'diff flame graph' });
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + 9);
  await page.locator('[data-testid=flame-tip-change]').waitFor();
  assert.match(await page.locator('[data-testid=flame-tip-change]').textContent(), /→.*\(\+/);
  // Normalized: shares of each total.
  await page.locator('[data-testid=diff-normalize]').check();
  const normalized = cliRows(['--normalize']);
  assert.notDeepEqual(normalized, absolute);
  await waitFor(async () => JSON.stringify(await pageRows()) === JSON.stringify(normalized), { what: 'normalized rows = CLI' });
  // Another pair: t1 against t2.
  await page.locator('[data-testid=diff-base]').selectOption({ label: 't1 · gin-heap-1.pb.gz' });
  await page.locator('[data-testid=diff-new]').selectOption({ label: 't2 · gin-heap-2.pb.gz' });
  const pair = cli(['diff', '--normalize', path.join(FIXTURES, names[1]), path.join(FIXTURES, names[2])])
    .rows.slice(0, 15)
    .map((r) => ({ name: r.name, delta: r.delta_flat }));
  await waitFor(async () => JSON.stringify(await pageRows()) === JSON.stringify(pair), { what: 't1 vs t2 rows = CLI' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the healthy series grows nowhere; points can be reordered and left out', async () => {
  const { page, errors } = await openPage(env);
  const names = series('gin-healthy-heap');
  await dropSeries(page, names);
  const rows = await growthRows(page);
  assert.ok(rows.length > 0);
  assert.deepEqual(rows.filter((r) => r.trend === 'grows'), [], 'nothing grows at every step above noise');
  // Leave t1 out: three points remain.
  await profileItem(page, names[1]).locator('[data-testid=point-toggle]').click();
  await waitFor(async () => (await growthRows(page))[0]?.values.length === 3, { what: 'three points' });
  assert.equal(await page.locator('[data-testid=series-size]').textContent(), 'series of 3');
  // Move the last point first: the order changes, and so do the values of the first column.
  await profileItem(page, names[1]).locator('[data-testid=point-toggle]').click();
  await waitFor(async () => (await growthRows(page))[0]?.values.length === 4, { what: 'four points again' });
  for (let i = 0; i < 3; i++) await profileItem(page, names[3]).locator('[data-testid=point-up]').click();
  const listed = await page.locator('[data-testid=profile-item]').evaluateAll((els) => els.map((e) => e.dataset.name));
  assert.deepEqual(listed, [names[3], names[0], names[1], names[2]]);
  assert.deepEqual(errors, []);
  await page.close();
});

test('goroutine dumps over time: the leaked stack and its wait state grow by one round of orders', async () => {
  const { page, errors } = await openPage(env);
  const names = series('gin-goroutine', 'debug2.txt');
  await dropSeries(page, names);
  // Goroutines rank by stack first.
  const rows = await growthRows(page);
  assert.equal(rows[0].trend, 'grows');
  assert.match(rows[0].name, /main\.waitForReply/);
  const steps = rows[0].values.slice(1).map((v, i) => v - rows[0].values[i]);
  assert.deepEqual(steps, [60, 60, 60]);
  const wait = page.locator('[data-testid=wait-row]').first();
  assert.equal(await wait.getAttribute('data-state'), 'chan receive');
  assert.equal(await wait.getAttribute('data-frame'), 'main.waitForReply');
  assert.deepEqual(JSON.parse(await wait.getAttribute('data-counts')), rows[0].values);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the demo opens on its series, and comes back with the Demo button', async () => {
  const { page, errors } = await openPage(env);
  await page.locator('[data-testid=growth-row]').first().waitFor({ timeout: 20000 });
  assert.equal(await page.locator('[data-testid=growth-row]').first().getAttribute('data-name'), 'main.captureRequestSnapshot');
  await dropFiles(page, [fixture('gin-cpu-2.pb.gz')]);
  await waitFor(async () => (await page.locator('[data-testid=profile-item]').count()) === 1, { what: 'demo replaced' });
  await page.locator('[data-testid=load-demo]').click();
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'public/demo/manifest.json'), 'utf8'));
  const ready = page.locator('[data-testid=profile-item][data-status=ready]');
  await waitFor(async () => (await ready.count()) === manifest.length + 1, { what: 'demo back' });
  assert.equal(await page.locator('[data-testid=load-demo]').count(), 0);
  const cpu = page.locator('[data-testid=profile-item][data-name="gin-cpu-2.pb.gz"]');
  assert.equal(await cpu.count(), 2, 'the user file stays beside the demo copy');
  assert.deepEqual(errors, []);
  await page.close();
});

const HEAP = path.join(ROOT, 'tests/fixtures/heapsnapshot');
const heapFile = (name) => ({ name, bytes: fs.readFileSync(path.join(HEAP, name)) });

test('a heap snapshot series shows what grew by constructor, who holds it, and DevTools\' Comparison', async () => {
  const { page, errors } = await openPage(env);
  const names = [1, 2, 3].map((t) => `node-leak-${t}.heapsnapshot.gz`);
  await dropFiles(page, [names[2], names[0], names[1]].map(heapFile));
  await waitFor(async () => (await page.locator('[data-testid=profile-item][data-status=ready]').count()) === 3, {
    what: 'snapshots analysed',
  });
  await showFiles(page);
  // Ordered by their object ids, opened on what grew.
  const listed = await page.locator('[data-testid=profile-item]').evaluateAll((els) => els.map((e) => e.dataset.name));
  assert.deepEqual(listed, names);
  await page.locator('[data-testid=heap-growth-row]').first().waitFor({ timeout: 30000 });
  assert.equal(await page.locator('[data-testid=tab-heap-growth]').getAttribute('aria-selected'), 'true');
  assert.equal(await page.locator('[data-testid=series-chart]').getAttribute('data-points'), '3');
  assert.equal(await page.locator('[data-testid=heap-growth-note]').getAttribute('data-same-process'), 'true');

  // The same ranking as the CLI; the planted Session leak grows by 120 per round and its
  // path names the cache that holds it.
  const expected = cli(['growth', ...names.map((n) => path.join(HEAP, n))]);
  const rows = await page.locator('[data-testid=heap-growth-row]').evaluateAll((els) =>
    els.map((e) => ({ name: e.dataset.name, trend: e.dataset.trend, counts: JSON.parse(e.dataset.counts) })),
  );
  assert.deepEqual(rows.slice(0, 20).map((r) => r.name), expected.rows.slice(0, 20).map((r) => r.name));
  const session = rows.find((r) => r.name === 'Session');
  assert.ok(session, 'a Session row');
  assert.equal(session.trend, 'grows');
  assert.deepEqual(session.counts.slice(1).map((c, i) => c - session.counts[i]), [120, 120]);
  // (A second, empty Session row is another script's constructor of that name.)
  const sessionRow = page.locator('[data-testid=heap-growth-row][data-name=Session][data-trend=grows]');
  assert.match(await sessionRow.locator('[data-testid=heap-growth-retainer]').textContent(), /SessionCache/);
  // MemLab's view: Sessions born between t0 and t1, alive at t2, under the cache.
  assert.ok(await page.locator('[data-testid=leak-cluster][data-name=Session]').count() > 0);
  // A row shows the retainers of one of its objects in the last snapshot.
  await sessionRow.click();
  await page.locator('[data-testid=retainers]').waitFor();

  // DevTools' Comparison of t2 with t0 equals DevTools' own answer.
  await profileItem(page, names[2]).locator('.profile-select').click();
  await page.locator('[data-testid=tab-heap-comparison]').click();
  await page.locator('[data-testid=comparison-base]').selectOption({ label: `t0 · ${names[0]}` });
  const oracle = JSON.parse(fs.readFileSync(path.join(HEAP, 'node-leak-3.vs-1.comparison.devtools.json'), 'utf8'));
  const want = oracle.rows.slice(0, 15).map((r) => ({ name: r.name, new: r.new_count, deleted: r.deleted_count }));
  const got = () =>
    page.locator('[data-testid=comparison-row]').evaluateAll((els) =>
      els.slice(0, 15).map((e) => ({ name: e.dataset.name, new: Number(e.dataset.new), deleted: Number(e.dataset.deleted) })),
    );
  await waitFor(async () => JSON.stringify(await got()) === JSON.stringify(want), { what: 'Comparison = DevTools' });
  // A row expands to its new objects; one of them shows its retainers.
  await page.locator('[data-testid=comparison-row][data-name=Session]').first().click();
  const objects = page.locator('[data-testid=comparison-object]');
  await objects.first().waitFor();
  assert.equal(await objects.count(), 200);
  await objects.first().click();
  await page.locator('[data-testid=retainers]').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a detached-DOM series names the view that keeps the detached lists', async () => {
  const { page, errors } = await openPage(env);
  const names = [1, 2, 3].map((t) => `detached-dom-${t}.heapsnapshot.gz`);
  await dropFiles(page, names.map(heapFile));
  await showFiles(page);
  const row = page.locator('[data-testid=heap-growth-row][data-name="Detached <ul>"]');
  await row.waitFor({ timeout: 30000 });
  assert.equal(await row.getAttribute('data-trend'), 'grows');
  assert.match(await row.locator('[data-testid=heap-growth-retainer]').textContent(), /OrdersView|history/);
  assert.deepEqual(errors, []);
  await page.close();
});
