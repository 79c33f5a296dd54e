#!/usr/bin/env node
// DevTools reference oracle for V8 heap snapshots (test tooling, not shipped).
//
// Loads a .heapsnapshot (or .heapsnapshot.gz) through Chrome DevTools' own heap snapshot worker
// code, bundled by tests/devtools/build.sh into dist/devtools-heap.mjs, exactly as the Memory
// panel does: the file is fed as string chunks to HeapSnapshotLoader, buildSnapshot() runs
// JSHeapSnapshot.initialize() (the dominator/retainer half runs in SecondaryInitManager over a
// MessageChannel, as DevTools' own createJSHeapSnapshotForTesting does), then the Summary
// view's per-class aggregates are read with the default (empty) NodeFilter, i.e.
// aggregatesWithFilter(new NodeFilter()) -> {count, distance, self, maxRet, name} per class key.
//
// Usage: node tests/devtools/summary.mjs FILE [--json] [--top N] [--chunk BYTES] [--filter NAME]...
//        node tests/devtools/summary.mjs FILE --compare BASE_FILE
//   --json   print the full JSON document (all classes); default prints a short table.
//   --filter NAME  (repeatable) instead of the Summary, print one JSON document with, per named
//            DevTools filter (createNamedFilter: objectsRetainedByDetachedDomNodes,
//            objectsRetainedByEventHandlers, duplicatedStrings, ...), the Summary rows under that
//            filter aggregated by class name ({count, shallow_size}), and for duplicatedStrings
//            also getDuplicateStrings() groups ({value, count, total_self_size}).
//   --compare BASE_FILE  instead of the Summary, print the Comparison view of FILE against
//            BASE_FILE as one JSON document, computed as the Memory panel does it: the base is
//            aggregated with FILE's interface definitions (base.aggregatesForDiff(
//            snapshot.interfaceDefinitions())), then snapshot.calculateSnapshotDiff(...) gives
//            per class key {name, addedCount, removedCount, countDelta, addedSize,
//            removedSize, sizeDelta}. Rows sorted by Alloc. Size (addedSize) desc, then key.
// Exit status 1 with "DevTools error: ..." on stderr when DevTools rejects the file.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.join(here, 'dist', 'devtools-heap.mjs');

function usage(msg) {
  if (msg) {
    process.stderr.write(msg + '\n');
  }
  process.stderr.write('usage: node tests/devtools/summary.mjs FILE [--json] [--top N] [--chunk BYTES] [--filter NAME]...\n' +
                       '       node tests/devtools/summary.mjs FILE --compare BASE_FILE\n');
  process.exit(2);
}

// Piping into `head` must not crash with EPIPE.
process.stdout.on('error', e => process.exit(e.code === 'EPIPE' ? 0 : 1));

const args = process.argv.slice(2);
let file = null;
let json = false;
let top = 20;
let chunkSize = 1 << 20;
const filters = [];
let compareBase = null;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--json') {
    json = true;
  } else if (a === '--top') {
    top = Number(args[++i]);
  } else if (a === '--filter') {
    filters.push(args[++i]);
  } else if (a === '--compare') {
    compareBase = args[++i];
  } else if (a === '--chunk') {
    chunkSize = Number(args[++i]);
  } else if (a.startsWith('-')) {
    usage('unknown option ' + a);
  } else if (file === null) {
    file = a;
  } else {
    usage('one file only');
  }
}
if (!file) {
  usage();
}
if (!fs.existsSync(file)) {
  usage(`no such file: ${file}`);
}
if (compareBase !== null && !fs.existsSync(compareBase)) {
  usage(`no such file: ${compareBase}`);
}
if (!fs.existsSync(bundle)) {
  usage(`missing ${bundle}: run "bash tests/devtools/build.sh" first`);
}

const {HeapSnapshotWorker, HeapSnapshotModel} = await import(bundle);
const {HeapSnapshotLoader} = HeapSnapshotWorker.HeapSnapshotLoader;
const {SecondaryInitManager} = HeapSnapshotWorker.HeapSnapshot;

// The loader reports progress through a dispatcher; keep the last status for error messages.
const progress = [];
const dispatcher = {
  sendEvent(name, ...params) {
    progress.push(`${name}: ${JSON.stringify(params)}`);
    if (progress.length > 50) {
      progress.shift();
    }
  },
};

// Problems the dominator pass reports (e.g. nodes unreachable from the root) arrive via
// console.warn in the primary thread; keep them in the output instead of on stderr.
const warnings = [];
const originalWarn = console.warn;
console.warn = (...a) => warnings.push(a.join(' '));

function openText(filePath) {
  const fd = fs.openSync(filePath, 'r');
  const magic = Buffer.alloc(2);
  fs.readSync(fd, magic, 0, 2, 0);
  fs.closeSync(fd);
  let stream = fs.createReadStream(filePath, {highWaterMark: chunkSize});
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    stream = stream.pipe(zlib.createGunzip({chunkSize}));
  }
  // V8 writes 7-bit ASCII, but decode as UTF-8 (boundary-safe) like the browser's reader.
  stream.setEncoding('utf8');
  return stream;
}

async function load(filePath) {
  const loader = new HeapSnapshotLoader(dispatcher);
  for await (const chunk of openText(filePath)) {
    loader.write(chunk);
    // Let the loader's promise chain consume the chunk before reading more.
    await new Promise(resolve => setImmediate(resolve));
  }
  loader.close();
  const channel = new MessageChannel();
  // eslint-disable-next-line no-new
  new SecondaryInitManager(channel.port2);
  try {
    return await loader.buildSnapshot(channel.port1);
  } finally {
    channel.port1.close();
    channel.port2.close();
  }
}

const started = process.hrtime.bigint();
let snapshot;
let baseSnapshot = null;
try {
  if (compareBase !== null) {
    baseSnapshot = await load(compareBase);
  }
  snapshot = await load(file);
} catch (e) {
  console.warn = originalWarn;
  const message = (e && e.message) ? e.message : String(e);
  process.stderr.write(`DevTools error: ${message}\n`);
  const frames = String(e && e.stack || '').split('\n').filter(l => l.trim().startsWith('at ')).slice(0, 3);
  for (const f of frames) {
    process.stderr.write(`  ${f.trim().replace(/\(.*\/dist\//, '(dist/')}\n`);
  }
  if (progress.length) {
    process.stderr.write(`last DevTools status: ${progress[progress.length - 1]}\n`);
  }
  process.exit(1);
}
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
console.warn = originalWarn;

const devtoolsVersion =
    JSON.parse(fs.readFileSync(path.join(here, 'node_modules', 'chrome-devtools-frontend', 'package.json'), 'utf8'))
        .version;

if (baseSnapshot !== null) {
  // HeapSnapshotDiffDataGrid.setBaseDataSource: the base takes this snapshot's interfaces.
  const aggregatesForDiff = baseSnapshot.aggregatesForDiff(snapshot.interfaceDefinitions());
  const diff = snapshot.calculateSnapshotDiff('base', aggregatesForDiff);
  const rows = Object.entries(diff).map(([key, d]) => ({
    name: d.name,
    key,
    new_count: d.addedCount,
    deleted_count: d.removedCount,
    count_delta: d.countDelta,
    alloc_size: d.addedSize,
    freed_size: d.removedSize,
    size_delta: d.sizeDelta,
  }));
  rows.sort((a, b) => b.alloc_size - a.alloc_size || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const sum = field => rows.reduce((s, r) => s + r[field], 0);
  const out = {
    file: path.basename(file),
    base: path.basename(compareBase),
    oracle: `chrome-devtools-frontend ${devtoolsVersion} (heap_snapshot_worker, Comparison view: ` +
        'aggregatesForDiff + calculateSnapshotDiff)',
    row_count: rows.length,
    new_count: sum('new_count'),
    deleted_count: sum('deleted_count'),
    alloc_size: sum('alloc_size'),
    freed_size: sum('freed_size'),
    rows,
  };
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
  process.exit(0);
}

if (filters.length) {
  const result = {file: path.basename(file), filters: {}};
  for (const name of filters) {
    const nodeFilter = new HeapSnapshotModel.NodeFilter();
    nodeFilter.filterName = name;
    const byName = {};
    let count = 0;
    let shallow = 0;
    for (const a of Object.values(snapshot.aggregatesWithFilter(nodeFilter))) {
      const row = byName[a.name] ??= {count: 0, shallow_size: 0};
      row.count += a.count;
      row.shallow_size += a.self;
      count += a.count;
      shallow += a.self;
    }
    const entry = {count, shallow_size: shallow, classes: byName};
    if (name === 'duplicatedStrings') {
      entry.groups = snapshot.getDuplicateStrings().map(g => ({value: g.value, count: g.count, total_self_size: g.totalSelfSize}));
    }
    result.filters[name] = entry;
  }
  process.stdout.write(JSON.stringify(result, null, 1) + '\n');
  process.exit(0);
}

const aggregates = snapshot.aggregatesWithFilter(new HeapSnapshotModel.NodeFilter());
const classes = Object.entries(aggregates).map(([key, a]) => ({
  name: a.name,
  key,
  count: a.count,
  distance: a.distance,
  shallow_size: a.self,
  retained_size: a.maxRet,
}));
classes.sort((a, b) => b.retained_size - a.retained_size || b.shallow_size - a.shallow_size ||
                 (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

const nativeContexts = snapshot.getNativeContextSizes();
const out = {
  file: path.basename(file),
  oracle: `chrome-devtools-frontend ${devtoolsVersion} (heap_snapshot_worker, Summary view, default filter)`,
  node_count: snapshot.nodeCount,
  edge_count: snapshot.containmentEdges.length / snapshot.edgeFieldsCount,
  total_size: snapshot.totalSize,
  root_retained_size: snapshot.rootNode().retainedSize(),
  class_count: classes.length,
  summary_total_count: classes.reduce((s, c) => s + c.count, 0),
  summary_total_shallow_size: classes.reduce((s, c) => s + c.shallow_size, 0),
  statistics: snapshot.getStatistics(),
  native_context_sizes: {
    shared_size: nativeContexts.sharedSize,
    no_attribution_size: nativeContexts.noAttributionSize,
    native_contexts: nativeContexts.nativeContexts,
  },
  // Distances as stored; the Summary grid shows "\u2212" for distance < 0 or >= 1e8
  // (HeapSnapshotModel.baseSystemDistance).
  base_system_distance: HeapSnapshotModel.baseSystemDistance,
  warnings,
  classes,
};

if (json) {
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
} else {
  const fmt = n => String(n).padStart(12);
  process.stdout.write(`${out.file}: ${out.node_count} nodes, ${out.edge_count} edges, total ${out.total_size} bytes, ` +
                       `${classes.length} classes (${elapsedMs.toFixed(0)} ms in DevTools)\n`);
  process.stdout.write(`statistics: ${JSON.stringify(out.statistics)}\n`);
  process.stdout.write(`${'count'.padStart(8)} ${'distance'.padStart(10)} ${'shallow'.padStart(12)} ${
      'retained'.padStart(12)}  class\n`);
  for (const c of classes.slice(0, top)) {
    const d = c.distance >= 0 && c.distance < HeapSnapshotModel.baseSystemDistance ? String(c.distance) : '\u2212';
    process.stdout.write(`${String(c.count).padStart(8)} ${d.padStart(10)} ${fmt(c.shallow_size)} ${
        fmt(c.retained_size)}  ${c.name}\n`);
  }
  for (const w of warnings) {
    process.stdout.write(`warning: ${w}\n`);
  }
}
