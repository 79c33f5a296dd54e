// Runs a program built for wasm32-wasip1 in Node's V8, the page's engine, with read access to
// one file: `node scripts/wasi-run.mjs PROGRAM.wasm FILE [ARGS...]` runs it as `PROGRAM FILE
// ARGS...`. A benchmark aid: `examples/heap_phases.rs --decode-only` times the snapshot decoder
// as wasm without a browser (ARCHITECTURE.md, "Warm-up").
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

const [program, file, ...rest] = process.argv.slice(2);
if (!program || !file) {
  console.error('usage: node scripts/wasi-run.mjs PROGRAM.wasm FILE [ARGS...]');
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: [basename(program, '.wasm'), `/data/${basename(file)}`, ...rest],
  preopens: { '/data': dirname(resolve(file)) },
});
const module = await WebAssembly.compile(readFileSync(program));
process.exitCode = wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject()));
