// Makes a real Node heap snapshot of a chosen size for the heap benchmarks, the way
// FORMATS-AND-LIMITS §2.4 made its 840 MB file: N small class instances (each with its own
// string, a 2-element array and a closure) plus a Map of N/3 plain objects, then
// v8.writeHeapSnapshot(OUT). --scale 1 gives about 10 M nodes / 33 M edges / 890 MB (Node 20).
// With --series K it writes K snapshots of one process instead, OUT-1 … OUT-K (before the
// extension), the heap grown between them from 80% to 100% of the scale: a series to measure
// growth and Comparison on.
// Usage: node --max-old-space-size=16000 scripts/make-big-snapshot.mjs OUT [--scale S] [--series K]
import v8 from 'node:v8';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const value = (flag, dflt) => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const out = args.find((a, i) => !a.startsWith('--') && !['--scale', '--series'].includes(args[i - 1]));
const scale = value('--scale', 1);
const series = value('--series', 1);
if (!out || !(scale > 0) || !(series >= 1)) {
  console.error('usage: node scripts/make-big-snapshot.mjs OUT [--scale S] [--series K]');
  process.exit(2);
}

class Item {
  constructor(i) {
    this.id = i;
    this.label = 'item value ' + i;
    this.pair = [i, this.label];
    this.touch = () => this.id + 1;
  }
}

const items = [];
const byKey = new Map();
globalThis.keep = { items, byKey };
/** Grows the heap to `n` items (and n/3 map entries). */
function growTo(n) {
  for (let i = items.length; i < n; i++) items.push(new Item(i));
  for (let i = byKey.size; i < Math.round(n / 3); i++) {
    byKey.set('k' + i, { url: '/api/' + i, method: 'GET' });
  }
}

const full = Math.round(1_250_000 * scale);
for (let k = 1; k <= series; k++) {
  const share = series === 1 ? 1 : 0.8 + (0.2 * (k - 1)) / (series - 1);
  growTo(Math.round(full * share));
  const ext = path.extname(out);
  const file = series === 1 ? out : `${out.slice(0, out.length - ext.length)}-${k}${ext}`;
  const t = Date.now();
  v8.writeHeapSnapshot(file);
  console.log(`wrote ${file} (${fs.statSync(file).size} bytes) in ${(Date.now() - t) / 1000} s, heapUsed ${process.memoryUsage().heapUsed}`);
}
