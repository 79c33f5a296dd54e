// Shared set-up for the browser tests: a headless Chromium (playwright-core, the system's
// /usr/bin/chromium), the site from LEAKSCOPE_URL or a server started here on dist/, and the
// few page actions the tests repeat (drop files, pick a profile, read the top table).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(ROOT, 'tests/fixtures/pprof');
export const CORPUS = path.resolve(ROOT, '../shared/corpus/pprof');
export const LARGE_CPU = path.join(CORPUS, 'google-pprof_large.cpu.pb.gz');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Starts Chromium and (unless LEAKSCOPE_URL is set) a static server; returns both and the URL. */
export async function start() {
  let server = null;
  let url = process.env.LEAKSCOPE_URL;
  if (!url) {
    server = await serve(path.join(ROOT, 'dist'));
    url = `http://127.0.0.1:${server.address().port}/`;
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // CHROMIUM_FLAGS: extra flags for measuring (e.g. `--js-flags=--prof` to profile the worker).
    args: [...CHROMIUM_ARGS, ...(process.env.CHROMIUM_FLAGS ?? '').split(' ').filter(Boolean)],
  });
  return {
    url,
    browser,
    async stop() {
      await browser.close();
      server?.close();
    },
  };
}

/**
 * Opens the page, collecting uncaught page errors, and waits for the demo to be listed and
 * checked; then leaves its Findings for the file views, unless `findings` is set.
 */
export async function openPage(env, { findings = false, bypassCSP = false } = {}) {
  const page = await env.browser.newPage({ viewport: { width: 1400, height: 900 }, bypassCSP });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(env.url);
  await page.locator('[data-testid=profile-item][data-status=ready]').first().waitFor();
  if (!findings) await showFiles(page);
  return { page, errors };
}

/**
 * Leaves the Findings (the page's first view once files are loaded, the checklist of every
 * file) for the file views, as a user does: clicks the entry of the file the views show.
 */
export async function showFiles(page) {
  await page.locator('[data-testid=findings-headline]').waitFor({ timeout: 60000 });
  await waitFor(async () => {
    if (!(await page.locator('[data-testid=findings-headline]').count())) return true;
    await page.locator('[data-testid=profile-item][data-current=true] .profile-select').click({ timeout: 5000 }).catch(() => {});
    return false;
  }, { what: 'the file views' });
}

/** Polls `fn` until it returns a truthy value; returns it, or throws after `timeout` ms. */
export async function waitFor(fn, { timeout = 20000, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Drops files on the drop zone as a user would: a `drop` DragEvent carrying a DataTransfer. */
export async function dropFiles(page, files) {
  const payload = files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') }));
  await page.evaluate((files) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name));
    }
    const zone = document.querySelector('[data-testid=drop-zone]');
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
}

/** A file of the fixture directory as { name, bytes }. */
export function fixture(name) {
  return { name, bytes: fs.readFileSync(path.join(FIXTURES, name)) };
}

/** The list entry of the last profile called `name`. */
export function profileItem(page, name) {
  return page.locator(`[data-testid=profile-item][data-name="${name}"]`).last();
}

/** Waits for profile `name` to decode, then selects it and waits for its title. */
export async function selectProfile(page, name) {
  const item = profileItem(page, name);
  await item.and(page.locator('[data-status=ready]')).waitFor();
  // The list regroups as files decode (a second snapshot of a runtime makes a series), which
  // can swallow a click landing on an entry as it moves: click again until the file shows.
  await waitFor(async () => {
    if ((await page.locator('[data-testid=view-title]').textContent().catch(() => null)) === name) return true;
    await item.locator('.profile-select').click({ timeout: 5000 }).catch(() => {});
    return false;
  }, { what: `${name} selected` });
}

/** Shows the Top tab (a series opens on its Growth tab). */
export async function showTop(page) {
  await page.locator('[data-testid=tab-top]').click();
  await page.locator('[data-testid=top-table]').waitFor();
}

/** The first `n` rows of the page's top table as { name, flat, cum }. */
export async function pageTopRows(page, n = 20) {
  return page.evaluate((n) => {
    const rows = [...document.querySelectorAll('[data-testid=top-row]')].slice(0, n);
    return rows.map((r) => ({
      name: r.querySelector('.fn-name').textContent,
      flat: Number(r.dataset.flat),
      cum: Number(r.dataset.cum),
    }));
  }, n);
}

/** The first `n` rows of `leakscope top --json` for `file` with extra `args`. */
export function cliTopRows(file, args = [], n = 20) {
  const bin = path.join(ROOT, 'target/debug/leakscope');
  const out = fs.existsSync(bin)
    ? execFileSync(bin, ['top', '--json', ...args, file], { encoding: 'utf8', maxBuffer: 1 << 28 })
    : execFileSync('cargo', ['run', '--quiet', '--bin', 'leakscope', '--', 'top', '--json', ...args, file], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      });
  const table = JSON.parse(out);
  return table.rows.slice(0, n).map((r) => ({ name: r.name, flat: r.flat, cum: r.cum }));
}

/** Waits until the page's first `n` rows equal `expected` (the view may still be computing). */
export async function expectTopRows(page, expected, what) {
  let got;
  try {
    await waitFor(async () => {
      got = await pageTopRows(page, expected.length);
      return got.length > 0 && JSON.stringify(got) === JSON.stringify(expected);
    }, { what });
  } catch {
    // Fall through to a comparison that prints the difference.
  }
  return got;
}

/** Opens the default profile's flame graph and waits for it to draw; returns its canvas. */
export async function openFlameGraph(page) {
  await showTop(page);
  await page.locator('[data-testid=top-row]').first().waitFor();
  await page.locator('[data-testid=tab-flame]').click();
  const canvas = page.locator('canvas.flame-canvas');
  await waitFor(async () => Number(await canvas.getAttribute('data-rects')) > 0, { what: 'flame rects' });
  return canvas;
}
