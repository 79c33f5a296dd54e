// V8 heap snapshots in real headless Chromium: dropped snapshots (plain and gzipped) show the
// Summary by constructor with the same numbers as Chrome DevTools' own heap snapshot worker
// (tests/fixtures/heapsnapshot/<name>.devtools.json), filter, expand, fail cleanly, and cancel;
// DevTools' Summary filters give DevTools' answers (<name>.filters.devtools.json).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, start, openPage, waitFor, dropFiles, fixture, profileItem, selectProfile } from './support.mjs';

const HEAP = path.join(ROOT, 'tests/fixtures/heapsnapshot');

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

function heapFixture(name) {
  return { name, bytes: fs.readFileSync(path.join(HEAP, name)) };
}

/** DevTools' classes for snapshot `stem`, in the page's default order (retained, then key). */
function oracleClasses(stem) {
  const oracle = JSON.parse(fs.readFileSync(path.join(HEAP, `${stem}.devtools.json`), 'utf8'));
  return [...oracle.classes].sort((a, b) => b.retained_size - a.retained_size || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The Summary rows the page shows, as { name, key, count, shallow_size, retained_size, distance }. */
async function pageClasses(page) {
  return page.locator('[data-testid=heap-class]').evaluateAll((rows) =>
    rows.map((r) => ({
      name: r.querySelector('.heap-class-name').textContent,
      key: r.dataset.key,
      count: Number(r.dataset.count),
      shallow_size: Number(r.dataset.shallow),
      retained_size: Number(r.dataset.retained),
      distance: Number(r.dataset.distance),
    })),
  );
}

const pick = (c) => ({ name: c.name, count: c.count, shallow_size: c.shallow_size, retained_size: c.retained_size });

test('dropped heap snapshots show the Summary exactly as DevTools computes it', async () => {
  const { page, errors } = await openPage(env);
  const files = ['node-leak-3.heapsnapshot.gz', 'node-leak-3.heapsnapshot', 'detached-dom.heapsnapshot.gz'];
  await dropFiles(page, files.map(heapFixture));
  for (const name of files) {
    await selectProfile(page, name);
    await page.locator('[data-testid=heap-summary]').waitFor();
    assert.match(await profileItem(page, name).textContent(), /heap snapshot · [\d.]+[kMG]?B total/);
    const stem = name.replace(/\.gz$/, '').replace(/\.heapsnapshot$/, '');
    const expected = oracleClasses(stem).slice(0, 20).map(pick);
    let got;
    await waitFor(async () => {
      got = (await pageClasses(page)).slice(0, 20).map(pick);
      return got.length === 20;
    }, { what: `${name} rows` });
    assert.deepEqual(got, expected, `${name}: page = DevTools`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('the Summary sorts, filters by name and expands a class to its objects', async () => {
  const { page, errors } = await openPage(env);
  await dropFiles(page, [heapFixture('detached-dom.heapsnapshot.gz')]);
  await selectProfile(page, 'detached-dom.heapsnapshot.gz');
  const table = page.locator('[data-testid=heap-summary]');
  await table.waitFor();
  // At most 300 rows at once, with "show more".
  const all = oracleClasses('detached-dom');
  assert.ok(all.length > 300);
  assert.equal(await page.locator('[data-testid=heap-class]').count(), 300);
  await page.locator('[data-testid=heap-show-more]').click();
  await waitFor(async () => (await page.locator('[data-testid=heap-class]').count()) === Math.min(600, all.length), { what: 'more rows' });

  // Sorting by count puts the largest count first.
  await page.locator('[data-testid=heap-sort-count]').click();
  const counts = (await pageClasses(page)).map((c) => c.count);
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
  assert.equal(counts[0], Math.max(...all.map((c) => c.count)));

  // Filtering by "Detached" lists exactly DevTools' detached classes.
  await page.locator('[data-testid=heap-name-filter]').fill('Detached');
  const detached = all.filter((c) => c.name.toLowerCase().includes('detached'));
  await waitFor(async () => (await page.locator('[data-testid=heap-class]').count()) === Math.min(300, detached.length), { what: 'filtered rows' });
  const names = (await pageClasses(page)).map((c) => c.name);
  assert.ok(names.includes('Detached <ul>') && names.includes('Detached <li>'), names.join(', '));
  assert.deepEqual([...names].sort(), detached.map((c) => c.name).sort());

  // Expanding `Detached <li>` lists its objects, largest retained first, 100 at a time.
  await page.locator('[data-testid=heap-sort-retained]').click();
  const li = page.locator('[data-testid=heap-class][data-key=",Detached <li>"]');
  const liCount = Number(await li.getAttribute('data-count'));
  await li.click();
  const objects = page.locator('[data-testid=heap-object]');
  await waitFor(async () => (await objects.count()) === Math.min(100, liCount), { what: 'objects of Detached <li>' });
  const text = await objects.first().textContent();
  assert.match(text, /^<li\b.*> @\d+/);
  const retained = await objects.evaluateAll((rs) => rs.map((r) => Number(r.dataset.retained)));
  assert.deepEqual(retained, [...retained].sort((a, b) => b - a));
  if (liCount > 100) {
    await page.locator('[data-testid=heap-objects-more]').click();
    await waitFor(async () => (await objects.count()) === Math.min(200, liCount), { what: 'more objects' });
  }

  // Selecting an object shows its retainers: paths of (edge kind, edge name, object) steps.
  await objects.first().click();
  const paths = page.locator('[data-testid=retainer-path]');
  await paths.first().waitFor();
  const steps = await paths.first().locator('[data-testid=retainer-step]').evaluateAll((ls) => ls.map((l) => l.dataset.edgeKind));
  assert.ok(steps.length > 0 && steps.every((k) => k.length > 0), JSON.stringify(steps));
  assert.ok((await page.locator('[data-testid=retainer-path][data-reaches-root=true]').count()) > 0, 'a path reaches the GC roots');
  assert.deepEqual(errors, []);
  await page.close();
});

/** Count and shallow size per class name of the page's rows (a name may have several sites). */
function byName(rows) {
  const out = {};
  for (const r of rows) {
    const o = (out[r.name] ??= { count: 0, shallow_size: 0 });
    o.count += r.count;
    o.shallow_size += r.shallow_size;
  }
  return out;
}

test('the Summary filters give DevTools\' answers, and an object shows its dominator chain', async () => {
  const { page, errors } = await openPage(env);
  await dropFiles(page, [heapFixture('detached-dom.heapsnapshot.gz')]);
  await selectProfile(page, 'detached-dom.heapsnapshot.gz');
  await page.locator('[data-testid=heap-summary]').waitFor();
  const oracle = JSON.parse(fs.readFileSync(path.join(HEAP, 'detached-dom.filters.devtools.json'), 'utf8')).filters;
  const select = page.locator('[data-testid=heap-filter]');

  // The two filters that cut the graph: per class, DevTools' count and shallow size.
  for (const [label, filter, key] of [
    ['Objects retained by detached DOM nodes', 'DetachedDom', 'objectsRetainedByDetachedDomNodes'],
    ['Objects retained by event handlers', 'EventHandlers', 'objectsRetainedByEventHandlers'],
  ]) {
    await select.selectOption({ label });
    await page.locator(`[data-testid=heap-summary][data-filter=${filter}] [data-testid=heap-class]`).first().waitFor();
    const rows = await pageClasses(page);
    const want = oracle[key].classes;
    const got = byName(rows);
    // The first rows (largest retained first) carry DevTools' numbers; so does every class.
    for (const r of rows.slice(0, 10)) assert.deepEqual(got[r.name], want[r.name], `${key}: ${r.name}`);
    assert.deepEqual(got, want, key);
    assert.equal(rows.reduce((s, r) => s + r.shallow_size, 0), oracle[key].shallow_size);
  }

  // Duplicated strings: DevTools' groups, in DevTools' order.
  await select.selectOption({ label: 'Duplicated strings' });
  const strings = page.locator('[data-testid=heap-duplicate-string]');
  await strings.first().waitFor();
  const groups = await strings.evaluateAll((rs) => rs.map((r) => ({ count: Number(r.dataset.count), total_self_size: Number(r.dataset.size) })));
  assert.ok(groups.length > 0);
  assert.deepEqual(groups, oracle.duplicatedStrings.groups.slice(0, 500).map((g) => ({ count: g.count, total_self_size: g.total_self_size })));
  assert.ok((await strings.first().textContent()).includes(oracle.duplicatedStrings.groups[0].value));

  // Closures with their contexts, largest context first.
  await select.selectOption({ label: 'Closures with their contexts' });
  const closures = page.locator('[data-testid=heap-closure]');
  await closures.first().waitFor();
  const contexts = await closures.evaluateAll((rs) => rs.map((r) => Number(r.dataset.contextRetained)));
  assert.ok(contexts.length > 0 && contexts[0] > 0);
  assert.deepEqual(contexts, [...contexts].sort((a, b) => b - a));
  assert.match(await closures.first().textContent(), / @\d+/);

  // Back to detached DOM: a class lists only its filtered objects; one shows its dominator chain.
  await select.selectOption({ label: 'Objects retained by detached DOM nodes' });
  const first = page.locator('[data-testid=heap-summary][data-filter=DetachedDom] [data-testid=heap-class]').first();
  await first.waitFor();
  const count = Number(await first.getAttribute('data-count'));
  await first.click();
  const objects = page.locator('[data-testid=heap-object]');
  await waitFor(async () => (await objects.count()) === Math.min(100, count), { what: 'filtered objects' });
  const nodeId = await objects.first().getAttribute('data-node-id');
  await objects.first().click();
  const chain = page.locator('[data-testid=dominator-chain] [data-testid=dominator-step]');
  await chain.first().waitFor();
  const steps = await chain.evaluateAll((ls) => ls.map((l) => ({ id: l.dataset.nodeId, ordinal: Number(l.dataset.ordinal), retained: Number(l.dataset.retained), text: l.textContent })));
  assert.ok(steps.length > 1, JSON.stringify(steps));
  assert.equal(steps[0].id, nodeId);
  // Each dominator retains at least what it dominates; the chain ends at the root (node 0).
  assert.ok(steps.every((s, i) => i === 0 || s.retained >= steps[i - 1].retained), JSON.stringify(steps));
  assert.equal(steps.at(-1).ordinal, 0);
  assert.match(steps.at(-1).text, /^\(root\) @\d+/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a truncated snapshot fails with its name while a good profile beside it loads', async () => {
  const { page, errors } = await openPage(env);
  const cut = heapFixture('node-leak-3.heapsnapshot');
  const bad = { name: 'cut-short.heapsnapshot', bytes: cut.bytes.subarray(0, 100_000) };
  await dropFiles(page, [bad, fixture('gin-heap-1.pb.gz')]);
  await profileItem(page, 'cut-short.heapsnapshot').and(page.locator('[data-status=failed]')).waitFor();
  const message = await page.locator('[data-testid=error-message]').first().textContent();
  assert.match(message, /^cut-short\.heapsnapshot: .*heap snapshot/);
  await selectProfile(page, 'gin-heap-1.pb.gz');
  await page.locator('[data-testid=top-row]').first().waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a big snapshot shows progress and can be cancelled, leaving the page usable', async () => {
  const { page, errors } = await openPage(env);
  const plain = fs.readFileSync(path.join(HEAP, 'node-leak-3.heapsnapshot'));
  const at = plain.indexOf('"nodes":[') + '"nodes":['.length;
  // 512 MiB of JSON whitespace inside the nodes array: valid, and slow enough to cancel.
  await page.evaluate(({ head, tail }) => {
    const pad = new Uint8Array(16 << 20).fill(32);
    const parts = [head, ...Array(32).fill(pad), tail];
    const dt = new DataTransfer();
    dt.items.add(new File(parts, 'big.heapsnapshot'));
    document.querySelector('[data-testid=drop-zone]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { head: plain.subarray(0, at).toString('latin1'), tail: plain.subarray(at).toString('latin1') });
  await page.locator('[data-testid=decode-bar]').waitFor();
  assert.match(await page.locator('[data-testid=decode-text]').textContent(), /big\.heapsnapshot: read [\d.]+[kMG]?B of [\d.]+[MG]B/);
  await page.locator('[data-testid=cancel-decoding]').click();
  await profileItem(page, 'big.heapsnapshot').and(page.locator('[data-status=cancelled]')).waitFor();
  // The other files come back in the fresh worker and can be shown.
  const demo = await page.locator('[data-testid=profile-item]').first().getAttribute('data-name');
  await waitFor(async () => (await page.locator('[data-testid=profile-item][data-status=decoding]').count()) === 0, { what: 'reloaded' });
  await selectProfile(page, demo);
  await page.locator('[data-testid=top-row]').first().waitFor();
  await page.locator('[data-testid=decode-progress]').waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the Statistics tab splits the total as DevTools does', async () => {
  const { page, errors } = await openPage(env);
  await dropFiles(page, [heapFixture('node-leak-3.heapsnapshot.gz')]);
  await selectProfile(page, 'node-leak-3.heapsnapshot.gz');
  await page.locator('[data-testid=tab-statistics]').click();
  const table = page.locator('[data-testid=heap-statistics]');
  await table.waitFor();
  const oracle = JSON.parse(fs.readFileSync(path.join(HEAP, 'node-leak-3.devtools.json'), 'utf8')).statistics;
  const got = await table.evaluate((t) => {
    const v = (k) => Number(t.querySelector(`[data-key=${k}]`).dataset.value);
    return {
      total: Number(t.dataset.total),
      native: { total: Number(t.dataset.native), typedArrays: v('typed-arrays') },
      v8heap: { total: Number(t.dataset.v8), code: v('code'), jsArrays: v('js-arrays'), strings: v('strings'), system: v('system') },
    };
  });
  assert.deepEqual(got, oracle);

  // The heap as a profile by dominator path: its self sizes add up to DevTools' total size.
  await page.locator('[data-testid=tab-heap-top]').click();
  const top = page.locator('[data-testid=top-table]');
  await page.locator('[data-testid=top-row]').first().waitFor();
  assert.equal(Number(await top.getAttribute('data-total')), oracle.total);
  await page.locator('[data-testid=tab-heap-flame]').click();
  await waitFor(async () => Number(await page.locator('canvas.flame-canvas').getAttribute('data-rects')) > 0, { what: 'flame rects' });
  assert.deepEqual(errors, []);
  await page.close();
});
