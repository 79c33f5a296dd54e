// Browser timing for the page (no pass/fail): drops the corpus' google-pprof_large.cpu.pb.gz
// (when present) on the page in headless Chromium and prints the time from the drop to its top
// table, and the flame graph's paint time (data-paint-ms) over a few hovers.
// Usage: node scripts/browser-bench.mjs [URL]  (default: serves dist/ itself; build it first
// with `trunk build --release --offline`).
import fs from 'node:fs';
import path from 'node:path';
import { LARGE_CPU, start, openPage, dropFiles, waitFor } from '../tests/e2e/support.mjs';

if (process.argv[2]) process.env.LEAKSCOPE_URL = process.argv[2];
if (!fs.existsSync(LARGE_CPU)) {
  console.log(`note: ${LARGE_CPU} is absent: nothing to measure`);
  process.exit(0);
}
const env = await start();
try {
  const name = path.basename(LARGE_CPU);
  const bytes = fs.readFileSync(LARGE_CPU);
  const RUNS = 3;
  const dropToTable = [];
  const decoded = [];
  let page;
  for (let run = 0; run < RUNS; run++) {
    // A fresh page per run, so the table that appears can only be the dropped profile's.
    await page?.close();
    ({ page } = await openPage(env));
    await page.locator('[data-testid=top-row]').first().waitFor();
    // Time inside the page, from just before the drop event to the first row of the new
    // table; a MutationObserver also notes when the list shows the file as decoded.
    await page.evaluate((name) => {
      window.__benchStart = performance.now();
      window.__decoded = null;
      const obs = new MutationObserver(() => {
        const item = document.querySelector(`[data-testid=profile-item][data-name="${name}"]`);
        if (item?.dataset.status === 'ready' && window.__decoded === null) {
          window.__decoded = performance.now() - window.__benchStart;
          obs.disconnect();
        }
      });
      obs.observe(document.body, { subtree: true, childList: true, attributes: true });
    }, name);
    await dropFiles(page, [{ name, bytes }]);
    await waitFor(async () => page.evaluate((name) => {
      // The table belongs to the dropped file once the title names it and a row exists.
      const title = document.querySelector('[data-testid=view-title]')?.textContent;
      const row = document.querySelector('[data-testid=top-row]');
      return title === name && row ? true : false;
    }, name), { timeout: 120000, what: 'the large profile\'s table' });
    dropToTable.push(await page.evaluate(() => performance.now() - window.__benchStart));
    decoded.push(await page.evaluate(() => window.__decoded ?? NaN));
  }
  const rows = await page.locator('[data-testid=top-row]').count();

  await page.locator('[data-testid=tab-flame]').click();
  const canvas = page.locator('canvas.flame-canvas');
  await waitFor(async () => Number(await canvas.getAttribute('data-rects')) > 0, { timeout: 60000, what: 'flame graph' });
  const box = await canvas.boundingBox();
  const paints = [];
  for (let i = 0; i < 20; i++) {
    await page.mouse.move(box.x + box.width * ((i * 0.37) % 1), box.y + 18 * (1 + (i % 8)) + 9);
    await page.waitForTimeout(60);
    paints.push(Number(await canvas.getAttribute('data-paint-ms')));
  }
  const rects = Number(await canvas.getAttribute('data-rects'));
  const ms = (v) => `${v.toFixed(1)} ms`;
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log(`file: ${name} (${(bytes.length / 1e6).toFixed(2)} MB gzipped)`);
  console.log(`drop → listed as decoded: ${decoded.map(ms).join(', ')} (median ${ms(median(decoded))})`);
  console.log(`drop → top table shown: ${dropToTable.map(ms).join(', ')} (median ${ms(median(dropToTable))}); ${rows} rows rendered`);
  console.log(`flame graph paint (data-paint-ms over ${paints.length} hovers): median ${ms(median(paints))}, max ${ms(Math.max(...paints))}; ${rects} rects`);
  await page.close();
} finally {
  await env.stop();
}
