// Makes a real Node heap snapshot of a chosen size for the heap benchmarks, the way
// FORMATS-AND-LIMITS §2.4 made its 840 MB file: N small class instances (each with its own
// string, a 2-element array and a closure) plus a Map of N/3 plain objects, then
// v8.writeHeapSnapshot(OUT). --scale 1 gives about 10 M nodes / 33 M edges / 890 MB (Node 20).
// Usage: node --max-old-space-size=16000 scripts/make-big-snapshot.mjs OUT [--scale S]
import v8 from 'node:v8';
import fs from 'node:fs';

const args = process.argv.slice(2);
const out = args.find((a) => !a.startsWith('--') && !/^[0-9.]+$/.test(a));
const si = args.indexOf('--scale');
const scale = si >= 0 ? Number(args[si + 1]) : 1;
if (!out || !(scale > 0)) {
  console.error('usage: node scripts/make-big-snapshot.mjs OUT [--scale S]');
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
const n = Math.round(1_250_000 * scale);
for (let i = 0; i < n; i++) items.push(new Item(i));
const byKey = new Map();
for (let i = 0; i < Math.round(n / 3); i++) {
  byKey.set('k' + i, { url: '/api/' + i, method: 'GET' });
}
globalThis.keep = { items, byKey };
const t = Date.now();
v8.writeHeapSnapshot(out);
console.log(`wrote ${out} (${fs.statSync(out).size} bytes) in ${(Date.now() - t) / 1000} s, heapUsed ${process.memoryUsage().heapUsed}`);
