// Browser timings for the page (numbers, no pass/fail). For each FILE, in a fresh page of
// headless Chromium: drops it on the page and measures, inside the page, the time from the drop
// to the list showing it decoded, to its first view row when the user clicks the file as soon as
// it is listed (pprof: the top table's first `top-row`; V8 heap snapshot: the Summary's first
// `heap-class`), and to the leak checklist's answer (the Findings count in the sidebar; the page
// opens on the Findings, and computes them after the selected file's view), the peak memory during the
// run, and for pprof files the time from a click on the first row's Sandwich button to that
// Sandwich shown and the flame graph's paint time (`data-paint-ms`) over a few hovers.
//
// With --series the FILEs are one series dropped together: it measures the drop → every file
// decoded → the growth ranking's first row, then the Diff (pprof) or Comparison (heap) tab →
// its first row, and the worker's wasm memory at the end.
//
// Usage: node scripts/browser-bench.mjs [--url URL] [--runs N] [--hovers N] [--timeout SECS] [--series] [--from-disk] FILE...
//   default FILE: the corpus' google-pprof_large.cpu.pb.gz (when present); default --runs 1.
//   Without --url it serves dist/ itself: build it first (`trunk build --release --offline`).
//
// Files of any size: they are served by a small server started here (127.0.0.1, CORS), and the
// page fetches one into a Blob and drops it as a File, so no bytes cross playwright's protocol.
// With --from-disk (single files) the dropped File is the file on disk, picked through a file
// input as a user's drag from a file manager gives it: Chromium spends 1.6 to 3 times the CPU
// reading such a file as reading a Blob it holds (measured in public/file-reader.js).
//
// Memory, two measures:
//  * "renderer Δ": the peak, sampled every 100 ms from /proc, of the summed RSS of Chromium's
//    renderer processes started by this script (the page and its Web Worker live there), minus
//    the same sum just before the drop (the fetched Blob is already built by then; Chromium
//    keeps blob data in the browser process, which is counted in "chromium Δ", all processes).
//  * "wasm": the worker's WebAssembly linear memory (`memory.buffer.byteLength`) once the view
//    is shown. Linear memory only grows, so this is the worker's peak wasm heap since it started
//    (including the demo profile the page loads first, shown as "wasm before").
// For heap snapshots it also prints the worker's own wall time per phase (the page's
// `heap-load-time` element), to tell decoding from each analysis step.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { LARGE_CPU, start, openPage, waitFor } from '../tests/e2e/support.mjs';

// ---- arguments
const opts = { runs: 1, hovers: 20, timeout: 600, files: [], series: false, fromDisk: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--url') process.env.LEAKSCOPE_URL = argv[++i];
  else if (a === '--runs') opts.runs = Number(argv[++i]);
  else if (a === '--hovers') opts.hovers = Number(argv[++i]);
  else if (a === '--timeout') opts.timeout = Number(argv[++i]);
  else if (a === '--series') opts.series = true;
  else if (a === '--from-disk') opts.fromDisk = true;
  else if (a.startsWith('-')) {
    console.error(`unknown option ${a}\nusage: node scripts/browser-bench.mjs [--url URL] [--runs N] [--hovers N] [--timeout SECS] [--series] [--from-disk] FILE...`);
    process.exit(2);
  } else opts.files.push(a);
}
if (opts.fromDisk && opts.series) {
  console.error('--from-disk measures single files, not a --series');
  process.exit(2);
}
if (opts.files.length === 0) {
  if (!fs.existsSync(LARGE_CPU)) {
    console.log(`note: ${LARGE_CPU} is absent and no FILE was given: nothing to measure`);
    process.exit(0);
  }
  opts.files.push(LARGE_CPU);
}
for (const f of opts.files) {
  if (!fs.existsSync(f)) {
    console.error(`no such file: ${f}`);
    process.exit(2);
  }
}

/** True when the file (plain or gzipped) starts like a V8 heap snapshot's JSON. */
function isHeapSnapshot(file) {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(64 << 10);
  const n = fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  let text = head.subarray(0, n);
  if (text[0] === 0x1f && text[1] === 0x8b) {
    try {
      text = zlib.gunzipSync(text, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch {
      return false;
    }
  }
  return /^\s*\{\s*"snapshot"/.test(text.subarray(0, 4096).toString('latin1'));
}

// ---- the files' server: /N is opts.files[N], with CORS so the page's origin may fetch it.
const fileServer = http.createServer((req, res) => {
  const file = opts.files[Number(req.url.slice(1))];
  if (!file) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': fs.statSync(file).size,
    'access-control-allow-origin': '*',
    'cache-control': 'no-store',
  });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => fileServer.listen(0, '127.0.0.1', r));
const filesUrl = `http://127.0.0.1:${fileServer.address().port}/`;

// ---- memory sampling: the RSS of this process's descendants (Chromium's processes).
// Sampling must not take the CPU from what it measures (this machine may have two cores):
// the process tree is walked once a second, and in between only those processes' `statm` is
// read, every 100 ms.

/** This process's descendants: pid → whether it is a renderer. */
function chromiumProcesses() {
  const procs = [];
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.push({ pid: Number(pid), ppid: Number(fields[1]) });
    } catch {
      // The process ended between readdir and read.
    }
  }
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
    }
  }
  mine.delete(process.pid);
  const out = new Map();
  for (const pid of mine) {
    try {
      out.set(pid, fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('--type=renderer'));
    } catch {
      // Ended meanwhile.
    }
  }
  return out;
}

/** The summed RSS of `procs` (from `chromiumProcesses`), and of its renderers. */
function chromiumRss(procs) {
  let all = 0;
  let renderer = 0;
  for (const [pid, isRenderer] of procs) {
    let rss;
    try {
      rss = Number(fs.readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]) * 4096;
    } catch {
      continue;
    }
    all += rss;
    if (isRenderer) renderer += rss;
  }
  return { all, renderer };
}

class Sampler {
  constructor() {
    this.procs = chromiumProcesses();
    this.base = chromiumRss(this.procs);
    this.peak = { ...this.base };
    let ticks = 0;
    this.timer = setInterval(() => {
      if (++ticks % 10 === 0) this.procs = chromiumProcesses();
      const now = chromiumRss(this.procs);
      this.peak.all = Math.max(this.peak.all, now.all);
      this.peak.renderer = Math.max(this.peak.renderer, now.renderer);
    }, 100);
  }
  stop() {
    clearInterval(this.timer);
    return { renderer: this.peak.renderer - this.base.renderer, all: this.peak.all - this.base.all };
  }
}

/** The page's worker's wasm linear memory in bytes, or NaN (no worker, or not reachable). */
async function wasmBytes(page) {
  // The analysis worker (not file-reader.js, which it starts to read files ahead).
  const workers = page.workers().filter((w) => !w.url().includes('file-reader'));
  const worker = workers[workers.length - 1];
  if (!worker) return NaN;
  try {
    // wasm-bindgen's init returns the already-instantiated exports when called again.
    return await worker.evaluate(async () => (await wasm_bindgen()).memory.buffer.byteLength);
  } catch {
    return NaN;
  }
}

// ---- one run: a fresh page, drop, wait for the first row, measure.
async function benchRun(env, index, file, heap, withFlame) {
  const name = path.basename(file);
  // The files come from this script's own server, another origin, which the page's
  // Content-Security-Policy forbids it to fetch: the benchmark's pages bypass it.
  const { page, errors } = await openPage(env, { bypassCSP: true });
  try {
    // Build the File in the page first (outside the timed part): from this script's server
    // into a Blob, or with --from-disk the file itself, picked through a file input as a
    // user's drop gives it (the browser then reads it from disk, which costs it more CPU).
    if (opts.fromDisk) {
      await page.evaluate(() => {
        const input = Object.assign(document.createElement('input'), { type: 'file', id: 'bench-file-input', hidden: true });
        input.onchange = () => { window.__benchFile = input.files[0]; };
        document.body.append(input);
      });
      await page.setInputFiles('#bench-file-input', file);
      await page.waitForFunction(() => window.__benchFile);
    } else {
      await page.evaluate(async ({ url, name }) => {
        const blob = await (await fetch(url)).blob();
        window.__benchFile = new File([blob], name);
      }, { url: filesUrl + index, name });
    }
    await page.waitForTimeout(1000);
    const wasmBefore = await wasmBytes(page);
    const sampler = new Sampler();
    await page.evaluate(({ name, heap }) => {
      const rowSel = heap ? '[data-testid=heap-class]' : '[data-testid=top-row]';
      // `waiters`: the benchmark's calls waiting for the next change (see `nextState`).
      const b = (window.__bench = { decoded: null, shown: null, findings: null, failed: null, waiters: [] });
      const check = () => {
        const t = performance.now() - b.start;
        const before = [b.decoded, b.shown, b.findings, b.failed].join();
        const item = [...document.querySelectorAll('[data-testid=profile-item]')].filter((e) => e.dataset.name === name).pop();
        if (item && b.decoded === null && item.dataset.status === 'ready') {
          b.decoded = t;
          // A user who wants the file's views clicks it as soon as it is listed; the checklist
          // (the Findings) keeps computing behind them.
          item.querySelector('.profile-select')?.click();
        }
        if (item && b.failed === null && (item.dataset.status === 'failed' || item.dataset.status === 'cancelled')) {
          b.failed = `${item.dataset.status}: ${item.textContent.trim()}`;
        }
        const title = document.querySelector('[data-testid=view-title]')?.textContent ?? '';
        if (b.shown === null && title.includes(name) && document.querySelector(rowSel)) b.shown = t;
        // The page opens on the Findings: the checklist of the dropped file is its first answer.
        const count = document.querySelector('[data-testid=findings-count]')?.textContent ?? '';
        if (b.findings === null && b.decoded !== null && (/likely/.test(count) || document.querySelector('[data-testid=findings-headline]'))) b.findings = t;
        if ((b.shown !== null && b.decoded !== null && b.findings !== null) || b.failed !== null) obs.disconnect();
        if ([b.decoded, b.shown, b.findings, b.failed].join() !== before) for (const w of b.waiters.splice(0)) w();
      };
      const obs = new MutationObserver(check);
      obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      const dt = new DataTransfer();
      dt.items.add(window.__benchFile);
      b.start = performance.now();
      document.querySelector('[data-testid=drop-zone]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, { name, heap });

    let state;
    let selectedByHand = false;
    const deadline = Date.now() + opts.timeout * 1000;
    for (;;) {
      state = await nextState(page, state === undefined ? '' : JSON.stringify(state));
      if (state.failed || (state.shown !== null && state.decoded !== null && state.findings !== null)) break;
      if (Date.now() > deadline) {
        state.failed = `timed out after ${opts.timeout} s`;
        break;
      }
      // Should the click at decode time have been lost (the list regroups as files decode),
      // open the file's views by hand.
      if (state.decoded !== null && !selectedByHand) {
        const selected = await page.evaluate((name) => (document.querySelector('[data-testid=view-title]')?.textContent ?? '').includes(name), name);
        if (!selected) {
          selectedByHand = true;
          await page.locator(`[data-testid=profile-item][data-name="${name}"] .profile-select`).last().click();
        }
      }
    }
    const mem = sampler.stop();
    const result = { name, heap, decoded: state.decoded, findings: state.findings, shown: state.shown, failed: state.failed, mem, wasmBefore };
    if (state.failed) {
      const banner = await page.locator('[data-testid=error-message]').allTextContents().catch(() => []);
      const progress = await page.locator('[data-testid=decode-text]').allTextContents().catch(() => []);
      result.failed = [state.failed, ...banner, ...progress].filter(Boolean).join(' | ');
    }
    result.wasm = await wasmBytes(page);
    if (!state.failed && heap) {
      // The worker's own per-phase wall times (the page's "loaded in" line).
      const t = await page.locator('[data-testid=heap-load-time]').getAttribute('data-timings').catch(() => null);
      result.phases = t ? JSON.parse(t) : null;
    }
    result.pageErrors = errors;
    if (!state.failed && !heap && withFlame) {
      result.sandwich = await sandwichTime(page);
      result.flame = await flamePaints(page);
    }
    return result;
  } finally {
    await page.close();
  }
}

/** The page's `window.__bench` once it differs from `seen` (its JSON), or after 500 ms. The times are taken
 * inside the page; this call only waits, so that the benchmark does not poll the page (on a
 * two-core machine every round trip is CPU taken from the page it measures). */
function nextState(page, seen) {
  return page.evaluate((seen) => new Promise((resolve) => {
    const b = window.__bench;
    const now = () => ({ decoded: b.decoded, shown: b.shown, findings: b.findings, failed: b.failed });
    const answer = () => resolve(now());
    if (JSON.stringify(now()) !== seen) return answer();
    b.waiters.push(answer);
    setTimeout(answer, 500);
  }), seen);
}

/** Time, inside the page, from a click on the top table's first row's Sandwich button to
 * that function's Sandwich shown (the worker is idle by then: the findings are in). */
async function sandwichTime(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const row = document.querySelector('[data-testid=top-row]');
    const name = row?.querySelector('.fn-name')?.textContent;
    const button = row?.querySelector('[data-testid=open-sandwich]');
    if (!name || !button) return resolve(null);
    const start = performance.now();
    const shown = () => document.querySelector('[data-testid=sandwich-function]')?.dataset.name === name;
    const obs = new MutationObserver(() => {
      if (shown()) {
        obs.disconnect();
        resolve(performance.now() - start);
      }
    });
    obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    button.click();
  }));
}

/** `data-paint-ms` of the flame graph over `opts.hovers` mouse moves. */
async function flamePaints(page) {
  await page.locator('[data-testid=tab-flame]').click();
  const canvas = page.locator('canvas.flame-canvas');
  await waitFor(async () => Number(await canvas.getAttribute('data-rects')) > 0, { timeout: 120000, what: 'flame graph' });
  const box = await canvas.boundingBox();
  const paints = [];
  for (let i = 0; i < opts.hovers; i++) {
    await page.mouse.move(box.x + box.width * ((i * 0.37) % 1), box.y + 18 * (1 + (i % 8)) + 9);
    await page.waitForTimeout(60);
    paints.push(Number(await canvas.getAttribute('data-paint-ms')));
  }
  return { paints, rects: Number(await canvas.getAttribute('data-rects')) };
}

// ---- a series: every file dropped at once, then the growth and diff views.
async function benchSeries(env, heap) {
  // The files come from this script's own server, another origin, which the page's
  // Content-Security-Policy forbids it to fetch: the benchmark's pages bypass it.
  const { page, errors } = await openPage(env, { bypassCSP: true });
  try {
    await page.evaluate(async ({ base, n }) => {
      window.__benchFiles = [];
      for (let i = 0; i < n; i++) {
        const blob = await (await fetch(base + i)).blob();
        window.__benchFiles.push(new File([blob], `point-${i}-${blob.size}`));
      }
    }, { base: filesUrl, n: opts.files.length });
    await page.waitForTimeout(1000);
    const sampler = new Sampler();
    const t0 = Date.now();
    await page.evaluate(() => {
      const dt = new DataTransfer();
      for (const f of window.__benchFiles) dt.items.add(f);
      document.querySelector('[data-testid=drop-zone]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    const until = async (what, fn) => {
      await waitFor(fn, { timeout: opts.timeout * 1000, what });
      return Date.now() - t0;
    };
    const n = opts.files.length;
    const failed = () => page.locator('[data-testid=profile-item][data-status=failed]').count();
    const decoded = await until('every point decoded', async () =>
      (await failed()) > 0 || (await page.locator('[data-testid=profile-item][data-status=ready]').count()) === n);
    if (await failed()) {
      const why = await page.locator('[data-testid=error-message]').allTextContents();
      return { failed: why.join(' | '), mem: sampler.stop(), wasm: await wasmBytes(page), errors };
    }
    const problem = () => page.locator('[data-testid=series-error], [data-testid=error-message]').allTextContents();
    const growth = await until('growth ranking', async () =>
      (await problem()).length > 0 ||
      (await page.locator(heap ? '[data-testid=heap-growth-row]' : '[data-testid=growth-row]').count()) > 0);
    if ((await problem()).length > 0) {
      return { failed: (await problem()).join(' | '), mem: sampler.stop(), wasm: await wasmBytes(page), errors };
    }
    const tab = heap ? '[data-testid=tab-heap-comparison]' : '[data-testid=tab-diff]';
    const t1 = Date.now();
    await page.locator(tab).click();
    try {
      // The summary line shows with the table (which is empty when the points are equal).
      await waitFor(async () => (await page.locator(heap ? '[data-testid=comparison-summary]' : '[data-testid=diff-summary]').count()) > 0, {
        timeout: opts.timeout * 1000,
        what: 'diff',
      });
    } catch (e) {
      const why = await page.locator('[data-testid=error-message], [data-testid=series-error]').allTextContents();
      return { failed: `${e.message}; page says: ${why.join(' | ') || 'nothing'}`, mem: sampler.stop(), wasm: await wasmBytes(page), errors };
    }
    const diff = Date.now() - t1;
    return { decoded, growth, diff, mem: sampler.stop(), wasm: await wasmBytes(page), errors };
  } finally {
    await page.close();
  }
}

// ---- report
const MB = (b) => (Number.isFinite(b) ? `${(b / 1e6).toFixed(0)} MB` : '?');
const ms = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : `${v.toFixed(0)} ms`);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

const env = await start();
if (opts.series) {
  try {
    const heap = isHeapSnapshot(opts.files[0]);
    const total = opts.files.reduce((a, f) => a + fs.statSync(f).size, 0);
    console.log(`site: ${env.url}\nseries of ${opts.files.length} ${heap ? 'heap snapshots' : 'profiles'}, ${MB(total)} in all`);
    for (let run = 1; run <= opts.runs; run++) {
      const r = await benchSeries(env, heap);
      if (r.failed) console.log(`run ${run}: FAILED: ${r.failed}; renderer Δ ${MB(r.mem.renderer)}, wasm ${MB(r.wasm)}`);
      else {
        console.log(`run ${run}: drop → all decoded ${ms(r.decoded)}, → growth ranking ${ms(r.growth)}; ${heap ? 'Comparison' : 'Diff'} tab → shown ${ms(r.diff)}; renderer Δ ${MB(r.mem.renderer)}, chromium Δ ${MB(r.mem.all)}, wasm ${MB(r.wasm)}`);
      }
      if (r.errors.length) console.log(`page errors: ${r.errors.join('; ')}`);
    }
  } finally {
    await env.stop();
    fileServer.close();
  }
  process.exit(0);
}
const results = [];
try {
  console.log(`site: ${env.url}`);
  for (let i = 0; i < opts.files.length; i++) {
    const file = opts.files[i];
    const heap = isHeapSnapshot(file);
    for (let run = 0; run < opts.runs; run++) {
      const r = await benchRun(env, i, file, heap, run === opts.runs - 1);
      r.size = fs.statSync(file).size;
      r.run = run + 1;
      results.push(r);
      const line = r.failed
        ? `FAILED: ${r.failed}`
        : `decoded ${ms(r.decoded)}, findings ${ms(r.findings)}, shown ${ms(r.shown)}, renderer Δ ${MB(r.mem.renderer)}, chromium Δ ${MB(r.mem.all)}, wasm ${MB(r.wasm)}`;
      console.log(`  ${r.name} run ${r.run}: ${line}`);
      if (r.phases) console.log(`    worker phases: ${r.phases.map((p) => `${p.phase} ${p.ms.toFixed(0)} ms`).join(', ')}`);
    }
  }
} finally {
  await env.stop();
  fileServer.close();
}

console.log('');
console.log(
  `${pad('file', 34)} ${lpad('size', 8)} ${pad('kind', 5)} ${lpad('run', 3)} ${lpad('→decoded', 10)} ${lpad('→findings', 10)} ${lpad('→shown', 10)} ${lpad('renderer Δ', 11)} ${lpad('chromium Δ', 11)} ${lpad('wasm', 8)} ${lpad('wasm before', 11)}`,
);
for (const r of results) {
  const head = `${pad(r.name, 34)} ${lpad(MB(r.size), 8)} ${pad(r.heap ? 'heap' : 'pprof', 5)} ${lpad(r.run, 3)}`;
  if (r.failed) {
    console.log(`${head} FAILED after ${ms(r.decoded ?? NaN)}: ${r.failed}`);
    continue;
  }
  console.log(
    `${head} ${lpad(ms(r.decoded), 10)} ${lpad(ms(r.findings), 10)} ${lpad(ms(r.shown), 10)} ${lpad(MB(r.mem.renderer), 11)} ${lpad(MB(r.mem.all), 11)} ${lpad(MB(r.wasm), 8)} ${lpad(MB(r.wasmBefore), 11)}`,
  );
}
for (const r of results) {
  if (r.sandwich != null) console.log(`sandwich ${r.name}: click on the first row's Sandwich button → shown ${ms(r.sandwich)}`);
  if (r.flame) {
    const p = r.flame.paints;
    console.log(`flame graph ${r.name}: data-paint-ms over ${p.length} hovers: median ${p.length ? median(p).toFixed(1) : '-'} ms, max ${p.length ? Math.max(...p).toFixed(1) : '-'} ms; ${r.flame.rects} rects`);
  }
  if (r.pageErrors?.length) console.log(`page errors (${r.name} run ${r.run}): ${r.pageErrors.join('; ')}`);
}
const byFile = new Map();
for (const r of results.filter((r) => !r.failed)) byFile.set(r.name, [...(byFile.get(r.name) ?? []), r]);
for (const [name, rs] of byFile) {
  if (rs.length > 1) {
    console.log(`median of ${rs.length} runs, ${name}: decoded ${ms(median(rs.map((r) => r.decoded)))}, findings ${ms(median(rs.map((r) => r.findings)))}, shown ${ms(median(rs.map((r) => r.shown)))}`);
  }
}
