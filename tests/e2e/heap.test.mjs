// V8 heap snapshots in real headless Chromium: dropped snapshots (plain and gzipped) show the
// Summary by constructor with the same numbers as Chrome DevTools' own heap snapshot worker
// (tests/fixtures/heapsnapshot/<name>.devtools.json), filter, expand, fail cleanly, and cancel;
// DevTools' Summary filters give DevTools' answers (<name>.filters.devtools.json).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import zlib from 'node:zlib';
import path from 'node:path';
import { FIXTURES, ROOT, start, openPage, showFiles, waitFor, dropFiles, fixture, profileItem, selectProfile } from './support.mjs';
import { serve } from './serve.mjs';

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

/** Waits for the Summary's first 20 rows of snapshot file `name` and checks them against DevTools'. */
async function expectDevToolsClasses(page, name) {
  const stem = name.replace(/\.gz$/, '').replace(/\.heapsnapshot$/, '');
  const expected = oracleClasses(stem).slice(0, 20).map(pick);
  let got;
  await waitFor(async () => {
    got = (await pageClasses(page)).slice(0, 20).map(pick);
    return got.length === 20;
  }, { what: `${name} rows` });
  assert.deepEqual(got, expected, `${name}: page = DevTools`);
}

test('dropped heap snapshots show the Summary exactly as DevTools computes it', async () => {
  const { page, errors } = await openPage(env);
  const files = ['node-leak-3.heapsnapshot.gz', 'node-leak-3.heapsnapshot', 'detached-dom-3.heapsnapshot.gz'];
  await dropFiles(page, files.map(heapFixture));
  // All decoded first: the two copies of one snapshot become a series (with Growth tabs) only
  // once both are in, which must not happen between choosing a file and its Summary tab.
  await waitFor(async () => (await page.locator('[data-testid=profile-item][data-status=ready]').count()) === files.length, {
    what: 'snapshots decoded',
    timeout: 60000,
  });
  for (const name of files) {
    await selectProfile(page, name);
    // Two copies of one snapshot form a series, which opens on its Growth tab.
    if (await page.locator('[data-testid=tab-summary]').count()) await page.locator('[data-testid=tab-summary]').click();
    await page.locator('[data-testid=heap-summary]').waitFor();
    assert.match(await profileItem(page, name).textContent(), /heap snapshot · [\d.]+[kMG]?B total/);
    await expectDevToolsClasses(page, name);
    // The worker says how long each phase took: reading, decoding, then the analysis in order;
    // a gzipped file was inflated by the browser's reader, beside the decoding.
    const timings = JSON.parse(await page.locator('[data-testid=heap-load-time]').getAttribute('data-timings'));
    const reading = name.endsWith('.gz') ? 'reading and inflating the file' : 'reading the file';
    assert.deepEqual(timings.map((t) => t.phase), [reading, 'decoding', 'distances', 'shallow sizes',
      'essential edges', 'dominators and retained sizes', 'class names', 'summary by constructor'], name);
    assert.ok(timings.every((t) => t.ms >= 0), JSON.stringify(timings));
    assert.match(await page.locator('[data-testid=heap-load-time]').textContent(), /^loaded in [\d.]+ s$/);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('where blobs have no byte stream, the reader worker reads slices with FileReaderSync, to the same Summary', async () => {
  // The site as a browser without Blob.stream() runs it: a copy of dist/ whose reader worker
  // finds no byte stream (a worker started by a worker is out of reach of page.route).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakscope-no-streams-'));
  fs.cpSync(path.join(ROOT, 'dist'), dir, { recursive: true });
  const reader = path.join(dir, 'file-reader.js');
  fs.writeFileSync(reader, `Blob.prototype.stream = undefined;\n${fs.readFileSync(reader, 'utf8')}`);
  const server = await serve(dir);
  const page = await env.browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.locator('[data-testid=profile-item][data-status=ready]').first().waitFor();
    await showFiles(page);
    // 7 MB: two 4 MiB slices.
    const name = 'node-leak-3.heapsnapshot';
    await dropFiles(page, [heapFixture(name)]);
    await profileItem(page, name).and(page.locator('[data-status=ready]')).waitFor({ timeout: 60000 });
    await selectProfile(page, name);
    await page.locator('[data-testid=heap-summary]').waitFor();
    await expectDevToolsClasses(page, name);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    server.closeAllConnections();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the Summary sorts, filters by name and expands a class to its objects', async () => {
  const { page, errors } = await openPage(env);
  await dropFiles(page, [heapFixture('detached-dom-3.heapsnapshot.gz')]);
  await selectProfile(page, 'detached-dom-3.heapsnapshot.gz');
  const table = page.locator('[data-testid=heap-summary]');
  await table.waitFor();
  // At most 300 rows at once (a screenful first, the rest of those 300 a frame later), with
  // "show more".
  const all = oracleClasses('detached-dom-3');
  assert.ok(all.length > 300);
  await waitFor(async () => (await page.locator('[data-testid=heap-class]').count()) === 300, { what: 'the first 300 rows' });
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

  // Expanding `Detached <li>` lists its objects in a virtualized list, largest retained first.
  await page.locator('[data-testid=heap-sort-retained]').click();
  const li = page.locator('[data-testid=heap-class][data-key=",Detached <li>"]');
  const liCount = Number(await li.getAttribute('data-count'));
  await li.click();
  const rows = await loadedRows(page);
  assert.equal(Number(await page.locator('[data-testid=heap-object-list]').getAttribute('data-total')), liCount);
  assert.deepEqual(rows.map((r) => r.index), [...Array(rows.length).keys()]);
  assert.ok(rows.length < liCount, `${rows.length} rows drawn of ${liCount}`);
  const objects = page.locator('[data-testid=heap-object]');
  assert.match(await objects.first().textContent(), /^<li\b.*> @\d+/);
  const retained = rows.map((r) => r.retained);
  assert.deepEqual(retained, [...retained].sort((a, b) => b - a));

  // Selecting an object shows its Retainers tree: the object on top, then the edges holding
  // it, expanded along the nearest path to the root; non-essential edges are listed last, marked.
  await objects.first().click();
  const tree = await settledTree(page);
  assert.equal(tree.top.nodeId, await objects.first().getAttribute('data-node-id'));
  assert.ok(tree.rows.every((r) => r.kind.length > 0), JSON.stringify(tree.rows));
  checkAutoPath(tree);
  const first = tree.rows.filter((r) => r.depth === 1);
  const weak = first.filter((r) => r.weak);
  assert.ok(weak.length > 0 && weak.every((r) => r.tagged && r.greyed), JSON.stringify(first));
  assert.ok(first.findIndex((r) => r.weak) > first.findLastIndex((r) => !r.weak), 'weak after strong');
  assert.ok(first.filter((r) => !r.weak && !r.cycle).every((r) => !r.greyed && !r.tagged), 'strong rows not greyed');
  assert.deepEqual(errors, []);
  await page.close();
});

/** The rows of the open class's virtual list in the DOM, once none is waiting for its page. */
async function loadedRows(page) {
  let rows;
  await waitFor(async () => {
    rows = await page.locator('[data-testid=heap-object-list] [data-index]').evaluateAll((rs) =>
      rs.map((r) => ({
        index: Number(r.dataset.index),
        pending: r.dataset.testid === 'heap-object-pending',
        retained: Number(r.dataset.retained),
        nodeId: r.dataset.nodeId,
      })),
    );
    return rows.length > 0 && rows.every((r) => !r.pending);
  }, { what: 'object rows' });
  return rows;
}

/** The Retainers tree once every expanded row's retainers came: its top and rows, in order. */
async function settledTree(page) {
  let tree;
  await waitFor(async () => {
    tree = await page.locator('[data-testid=retainer-tree]').evaluate((t) => {
      const top = t.querySelector('[data-testid=retainer-top]');
      return {
        loading: t.querySelectorAll('[data-testid=retainer-loading]').length,
        top: { nodeId: top.dataset.nodeId, distance: Number(top.dataset.distance) },
        more: [...t.querySelectorAll('[data-testid=retainer-more]')].map((m) => Number(m.dataset.hidden)),
        rows: [...t.querySelectorAll('[data-testid=retainer-row]')].map((r) => ({
          key: r.dataset.key,
          depth: Number(r.dataset.depth),
          ordinal: Number(r.dataset.ordinal),
          kind: r.dataset.edgeKind,
          weak: r.dataset.weak === 'true',
          cycle: r.dataset.cycle === 'true',
          expanded: r.dataset.expanded === 'true',
          distance: Number(r.dataset.distance),
          tagged: r.querySelector('[data-testid=weak-tag]') !== null,
          greyed: getComputedStyle(r).color !== getComputedStyle(t).color,
          text: r.querySelector('.name').textContent,
        })),
      };
    }).catch(() => null);
    return tree && tree.loading === 0 && tree.rows.length > 0;
  }, { what: 'retainers tree' });
  return tree;
}

/**
 * The automatic expansion: one chain of expanded rows, each inside the one before, distances
 * falling by one per level, and the first row under the deepest one is the root, `(root)`,
 * at the depth equal to the object's distance.
 */
function checkAutoPath(tree) {
  const chain = tree.rows.filter((r) => r.expanded);
  assert.ok(chain.length > 0, 'expanded along a path');
  chain.forEach((r, i) => {
    assert.equal(r.depth, i + 1, JSON.stringify(chain));
    if (i > 0) assert.ok(r.key.startsWith(`${chain[i - 1].key}/`), JSON.stringify(chain));
    assert.equal(r.distance, tree.top.distance - r.depth, JSON.stringify(chain));
  });
  const last = chain.at(-1);
  const end = tree.rows[tree.rows.indexOf(last) + 1];
  assert.equal(end.depth, last.depth + 1);
  assert.equal(end.ordinal, 0, JSON.stringify(end));
  assert.match(end.text, /\(root\)/);
  assert.equal(end.depth, tree.top.distance);
}

test('a class of many objects scrolls as a virtual list and objects show a lazy retainers tree', async () => {
  const { page, errors } = await openPage(env);
  await dropFiles(page, [heapFixture('node-leak-3.heapsnapshot.gz')]);
  await selectProfile(page, 'node-leak-3.heapsnapshot.gz');
  await page.locator('[data-testid=heap-summary]').waitFor();
  // The class with the most objects.
  const classes = await pageClasses(page);
  const big = classes.reduce((a, b) => (b.count > a.count ? b : a));
  assert.ok(big.count > 10000, JSON.stringify(big));
  await page.locator(`[data-testid=heap-class][data-key="${big.key}"]`).click();
  const list = page.locator('[data-testid=heap-object-list]');
  let rows = await loadedRows(page);
  // The scrolling area is as tall as all the objects; the DOM holds only the rows in view.
  assert.equal(Number(await list.getAttribute('data-total')), big.count);
  const rowPx = Number(await list.getAttribute('data-row-px'));
  assert.equal(await list.evaluate((l) => l.scrollHeight), big.count * rowPx);
  assert.ok(rows.length < 50, `${rows.length} rows in the DOM`);
  const seen = new Map(rows.map((r) => [r.index, r]));
  // Scroll to three places; each time the rows drawn are those at that offset, loaded.
  for (const at of [Math.floor(big.count / 2), big.count - 5, 1234]) {
    await list.evaluate((l, top) => { l.scrollTop = top; }, at * rowPx);
    await waitFor(async () => (await loadedRows(page)).some((r) => r.index === at), { what: `row ${at}` });
    rows = await loadedRows(page);
    assert.ok(rows.length < 50, `${rows.length} rows in the DOM`);
    const indices = rows.map((r) => r.index);
    assert.deepEqual(indices, [...Array(rows.length).keys()].map((i) => indices[0] + i), 'consecutive rows');
    assert.ok(indices[0] <= at && at < indices.at(-1), `${at} in ${indices[0]}..${indices.at(-1)}`);
    // Each row sits where its index says (the last ones cannot scroll to the top).
    const top = await list.evaluate((l) => l.scrollTop);
    const box = await list.boundingBox();
    const row = await page.locator(`[data-testid=heap-object][data-index="${at}"]`).boundingBox();
    const want = box.y + at * rowPx - top;
    assert.ok(Math.abs(row.y - want) < 1.5 && row.y >= box.y - 0.5 && row.y < box.y + box.height, `row ${at} at ${row.y}, want ${want}`);
    for (const r of rows) seen.set(r.index, r);
  }
  assert.ok(seen.has(big.count - 1), 'the last object is reachable');
  // Across every page seen: largest retained first, no object twice.
  const ordered = [...seen.values()].sort((a, b) => a.index - b.index);
  for (let i = 1; i < ordered.length; i++) {
    assert.ok(ordered[i - 1].retained >= ordered[i].retained, `retained at ${ordered[i].index}`);
  }
  assert.equal(new Set(ordered.map((r) => r.nodeId)).size, ordered.length);

  // Selecting a row: the Retainers tree shows one full path to the root, expanded.
  const pick = page.locator('[data-testid=heap-object][data-index="1234"]');
  await pick.click();
  assert.equal(await pick.getAttribute('class').then((c) => c.includes('selected')), true);
  let tree = await settledTree(page);
  assert.equal(tree.top.nodeId, await pick.getAttribute('data-node-id'));
  checkAutoPath(tree);
  // Expanding another row asks for its retainers, shown one level deeper.
  const other = tree.rows.find((r) => !r.expanded && !r.cycle && r.text.startsWith('▸'));
  assert.ok(other, 'a row left to expand');
  {
    await page.locator(`[data-testid=retainer-row][data-key="${other.key}"]`).click();
    await waitFor(async () => (tree = await settledTree(page)).rows.some((r) => r.key.startsWith(`${other.key}/`)), { what: 'expanded row' });
    const below = tree.rows.filter((r) => r.key.startsWith(`${other.key}/`));
    assert.ok(below.every((r) => r.depth === other.depth + 1), JSON.stringify(below));
    await page.locator(`[data-testid=retainer-row][data-key="${other.key}"]`).click();
    await waitFor(async () => !(tree = await settledTree(page)).rows.some((r) => r.key.startsWith(`${other.key}/`)), { what: 'collapsed row' });
  }

  // A Session is also held by a `weak` edge: listed after the strong ones, greyed and tagged.
  const session = classes.find((c) => c.name === 'Session');
  await page.locator(`[data-testid=heap-class][data-key="${session.key}"]`).click();
  await loadedRows(page);
  await page.locator('[data-testid=heap-object][data-index="0"]').click();
  tree = await settledTree(page);
  const first = tree.rows.filter((r) => r.depth === 1);
  const weak = first.filter((r) => r.kind === 'weak');
  assert.ok(weak.length > 0, JSON.stringify(first));
  assert.ok(weak.every((r) => r.weak && r.tagged && r.greyed), JSON.stringify(weak));
  assert.ok(first.findIndex((r) => r.weak) > first.findLastIndex((r) => !r.weak), 'weak after strong');
  assert.ok(first.filter((r) => !r.weak && !r.cycle).every((r) => !r.greyed && !r.tagged), 'strong rows not greyed');
  checkAutoPath(tree);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an object held by many edges lists the first 100 retainers and counts the rest', async () => {
  const { page, errors } = await openPage(env);
  await dropFiles(page, [heapFixture('detached-dom-3.heapsnapshot.gz')]);
  await selectProfile(page, 'detached-dom-3.heapsnapshot.gz');
  await page.locator('[data-testid=heap-summary]').waitFor();
  // The page's Window is referenced from all over the heap.
  const win = (await pageClasses(page)).find((c) => /^Window \/ /.test(c.name));
  assert.ok(win, 'a Window class');
  await page.locator(`[data-testid=heap-class][data-key="${win.key}"]`).click();
  await loadedRows(page);
  await page.locator('[data-testid=heap-object][data-index="0"]').click();
  const tree = await settledTree(page);
  const first = tree.rows.filter((r) => r.depth === 1);
  assert.equal(first.length, 100);
  assert.equal(tree.more.length, 1);
  assert.ok(tree.more[0] > 0);
  // Strong before weak, each group nearest to a GC root first (the root itself first).
  const rank = (r) => (r.ordinal === 0 ? -1 : r.distance < 0 ? Infinity : r.distance);
  for (let i = 1; i < first.length; i++) {
    const [a, b] = [first[i - 1], first[i]];
    assert.ok(a.weak < b.weak || (a.weak === b.weak && rank(a) <= rank(b)), `${JSON.stringify(a)} then ${JSON.stringify(b)}`);
  }
  checkAutoPath(tree);
  assert.deepEqual(errors, []);
  await page.close();
});

/**
 * Drops a synthetic snapshot built in the page: (root) → Holder → a million `Big` objects of
 * varied sizes (element edges), each holding the one `Shared` object (property `shared`).
 */
async function dropMillion(page, n) {
  await page.evaluate((n) => {
    const meta = {
      node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
      node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'], 'string', 'number', 'number', 'number', 'number', 'number'],
      edge_fields: ['type', 'name_or_index', 'to_node'],
      edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'], 'string_or_number', 'node'],
    };
    const parts = [`{"snapshot":{"meta":${JSON.stringify(meta)},"node_count":${n + 3},"edge_count":${2 * n + 1}},\n"nodes":[`];
    // Strings: 0 "", 1 "Holder", 2 "Shared", 3 "Big", 4 "shared".
    parts.push('9,0,1,0,1,0,0,3,1,3,16,' + n + ',0,0,3,2,5,32,0,0,0');
    const size = (i) => 16 + ((i * 7919) % 1000) * 8;
    const chunk = 50000;
    for (let s = 0; s < n; s += chunk) {
      let t = '';
      for (let i = s; i < Math.min(n, s + chunk); i++) t += `,3,3,${7 + 2 * i},${size(i)},1,0,0`;
      parts.push(t);
    }
    parts.push('],\n"edges":[1,1,7');
    for (let s = 0; s < n; s += chunk) {
      let t = '';
      for (let i = s; i < Math.min(n, s + chunk); i++) t += `,1,${i},${(3 + i) * 7}`;
      parts.push(t);
    }
    for (let s = 0; s < n; s += chunk) {
      let t = '';
      for (let i = s; i < Math.min(n, s + chunk); i++) t += ',2,4,14';
      parts.push(t);
    }
    parts.push('],\n"locations":[],\n"strings":["","Holder","Shared","Big","shared"]}');
    const dt = new DataTransfer();
    dt.items.add(new File(parts, 'million.heapsnapshot'));
    document.querySelector('[data-testid=drop-zone]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, n);
}

test('a class of a million objects scrolls without a million rows or requests', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Count the page's requests for objects and retainers on their way to the worker.
  await page.addInitScript(() => {
    window.__asked = { HeapObjects: 0, RetainerEdges: 0 };
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (m, ...rest) {
      const text = Array.isArray(m) && typeof m[0] === 'string' ? m[0] : '';
      for (const k of Object.keys(window.__asked)) if (text.startsWith(`{"${k}"`)) window.__asked[k]++;
      return post.call(this, m, ...rest);
    };
  });
  await page.goto(env.url);
  await page.locator('[data-testid=profile-item][data-status=ready]').first().waitFor();
  const n = 1_000_000;
  await dropMillion(page, n);
  await profileItem(page, 'million.heapsnapshot').and(page.locator('[data-status=ready]')).waitFor({ timeout: 120000 });
  await selectProfile(page, 'million.heapsnapshot');
  const big = page.locator('[data-testid=heap-class][data-key=",Big"]');
  await big.waitFor();
  assert.equal(Number(await big.getAttribute('data-count')), n);
  await big.click();
  const list = page.locator('[data-testid=heap-object-list]');
  let rows = await loadedRows(page);
  assert.equal(Number(await list.getAttribute('data-total')), n);
  const seen = new Map(rows.map((r) => [r.index, r]));
  // Too tall for a browser at full height: the area is capped, and still scrolls to every row.
  const { scrollHeight, clientHeight } = await list.evaluate((l) => ({ scrollHeight: l.scrollHeight, clientHeight: l.clientHeight }));
  assert.ok(scrollHeight > 1_000_000 && scrollHeight < n * Number(await list.getAttribute('data-row-px')), `${scrollHeight}`);
  for (const f of [0.5, 0.25, 0.999, 1]) {
    await list.evaluate((l, top) => { l.scrollTop = top; }, f * (scrollHeight - clientHeight));
    const near = Math.floor(f * (n - 16));
    await waitFor(async () => {
      rows = await loadedRows(page);
      return rows[0].index <= near && near <= rows.at(-1).index;
    }, { what: `rows near ${near}` });
    assert.ok(rows.length < 50, `${rows.length} rows in the DOM`);
    assert.equal(await page.locator('[data-testid=heap-object-list] [data-index]').count(), rows.length);
    for (const r of rows) seen.set(r.index, r);
  }
  assert.equal(rows.at(-1).index, n - 1, 'the last object is shown at the bottom');
  const ordered = [...seen.values()].sort((a, b) => a.index - b.index);
  for (let i = 1; i < ordered.length; i++) assert.ok(ordered[i - 1].retained >= ordered[i].retained, `retained at ${ordered[i].index}`);
  // Sizes are 16 + 8·k for k < 1000: the largest first, the smallest last.
  assert.equal(ordered[0].retained, 16 + 999 * 8);
  assert.equal(ordered.at(-1).retained, 16);
  const asked = await page.evaluate(() => window.__asked.HeapObjects);
  assert.ok(asked >= 4 && asked <= 20, `${asked} object pages asked`);

  // The object every Big holds: 100 of its million retainers listed, the rest counted, and
  // the path Big → Holder → (root) expanded.
  await page.locator('[data-testid=heap-class][data-key=",Shared"]').click();
  await loadedRows(page);
  await page.locator('[data-testid=heap-object][data-index="0"]').click();
  const tree = await settledTree(page);
  const first = tree.rows.filter((r) => r.depth === 1);
  assert.equal(first.length, 100);
  assert.deepEqual(tree.more, [n - 100]);
  assert.ok(first.every((r) => r.text.includes('.shared in Big')), first[0].text);
  checkAutoPath(tree);
  assert.equal(tree.rows.filter((r) => r.expanded).length, 2);
  assert.equal(await page.evaluate(() => window.__asked.RetainerEdges), 3);
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
  await dropFiles(page, [heapFixture('detached-dom-3.heapsnapshot.gz')]);
  await selectProfile(page, 'detached-dom-3.heapsnapshot.gz');
  await page.locator('[data-testid=heap-summary]').waitFor();
  const oracle = JSON.parse(fs.readFileSync(path.join(HEAP, 'detached-dom-3.filters.devtools.json'), 'utf8')).filters;
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
  // The first rows: the view's 16 and a margin of 11 below (all of them in a small class).
  assert.equal((await loadedRows(page)).length, Math.min(count, 27));
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
  // Gzipped snapshots are inflated by the browser beside the decoding; when it cannot, the
  // worker's own inflater says what is wrong with the file.
  const gz = heapFixture('node-leak-3.heapsnapshot.gz').bytes;
  const damaged = Buffer.from(gz);
  damaged.fill(0xff, damaged.length >> 1, (damaged.length >> 1) + 64);
  await dropFiles(page, [
    { name: 'cut-short.heapsnapshot.gz', bytes: gz.subarray(0, gz.length >> 1) },
    { name: 'damaged.heapsnapshot.gz', bytes: damaged },
  ]);
  // Gzipped twice is still a snapshot: the browser inflates one layer, the worker the other.
  await dropFiles(page, [{ name: 'twice.heapsnapshot.gz.gz', bytes: zlib.gzipSync(gz) }]);
  await profileItem(page, 'twice.heapsnapshot.gz.gz').and(page.locator('[data-status=ready]')).waitFor({ timeout: 60000 });
  assert.match(await profileItem(page, 'twice.heapsnapshot.gz.gz').textContent(), /heap snapshot · [\d.]+[kMG]?B total/);
  for (const [name, what] of [['cut-short.heapsnapshot.gz', /cut off/], ['damaged.heapsnapshot.gz', /gzip data is damaged/]]) {
    await profileItem(page, name).and(page.locator('[data-status=failed]')).waitFor();
    const messages = await page.locator('[data-testid=error-message]').allTextContents();
    const mine = messages.find((m) => m.startsWith(`${name}: `));
    assert.ok(mine, `${name} is named in ${JSON.stringify(messages)}`);
    assert.match(mine, what);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a big snapshot shows progress and can be cancelled, leaving the page usable', async () => {
  const { page, errors } = await openPage(env);
  const plain = fs.readFileSync(path.join(HEAP, 'node-leak-3.heapsnapshot'));
  const at = plain.indexOf('"nodes":[') + '"nodes":['.length;
  // 512 MiB of JSON whitespace inside the nodes array: valid, and slow enough to cancel.
  const other = fs.readFileSync(path.join(FIXTURES, 'gin-heap-1.pb.gz')).toString('base64');
  await page.evaluate(({ head, tail, other }) => {
    const pad = new Uint8Array(16 << 20).fill(32);
    const parts = [head, ...Array(32).fill(pad), tail];
    const dt = new DataTransfer();
    dt.items.add(new File(parts, 'big.heapsnapshot'));
    dt.items.add(new File([Uint8Array.from(atob(other), (c) => c.charCodeAt(0))], 'gin-heap-1.pb.gz'));
    document.querySelector('[data-testid=drop-zone]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { head: plain.subarray(0, at).toString('latin1'), tail: plain.subarray(at).toString('latin1'), other });
  await page.locator('[data-testid=decode-bar]').waitFor();
  assert.match(await page.locator('[data-testid=decode-text]').textContent(), /big\.heapsnapshot: read [\d.]+[kMG]?B of [\d.]+[MG]B/);
  await page.locator('[data-testid=cancel-decoding]').click();
  await profileItem(page, 'big.heapsnapshot').and(page.locator('[data-status=cancelled]')).waitFor();
  // The other file of the drop comes back in the fresh worker and can be shown.
  await waitFor(async () => (await page.locator('[data-testid=profile-item][data-status=decoding]').count()) === 0, { what: 'reloaded' });
  await selectProfile(page, 'gin-heap-1.pb.gz');
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
