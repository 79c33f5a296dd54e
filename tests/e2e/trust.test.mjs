// Nothing leaves the page, and it works without the network. The built page carries a
// Content-Security-Policy that lets it talk to
// its own origin only, the policy is enforced (a request elsewhere and an injected inline script
// are refused, and reported), and while it analyses real files of every kind (pprof, a goroutine
// dump, a gzipped heap snapshot) through every view, every request it and its workers make goes
// to its own origin, with no policy violation. After one visit, with its server gone, the page
// opens again (the service worker's cache), with its demo, and analyses a dropped file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, start, waitFor, dropFiles, fixture, selectProfile, showTop } from './support.mjs';
import { serve } from './serve.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

const HEAP = path.join(ROOT, 'tests/fixtures/heapsnapshot');

/** A fresh page that records every request (the page's and its workers'), console errors and
 * the policy violations the document reports. */
async function watchedPage() {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  const errors = [];
  const consoleErrors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
  });
  return { context, page, requests, errors, consoleErrors };
}

test('the page has a Content-Security-Policy that keeps data in, and enforces it', async () => {
  const { context, page, errors } = await watchedPage();
  await page.goto(env.url);
  await page.locator('[data-testid=profile-item][data-status=ready]').first().waitFor();
  const policy = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content');
  const directives = Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(directives['default-src'], ["'self'"]);
  assert.deepEqual(directives['connect-src'], ["'self'"]);
  assert.deepEqual(directives['object-src'], ["'none'"]);
  for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'blob:']) {
    assert.ok(!directives['script-src'].includes(unsafe), `script-src allows ${unsafe}: ${policy}`);
  }
  // Enforced: a request to another origin is refused before it is sent, and an inline script
  // injected into the page does not run; both are reported as violations.
  const sent = await page.evaluate(async () => {
    try {
      await fetch('http://127.0.0.1:9/upload', { method: 'POST', body: 'secret' });
      return 'sent';
    } catch {
      return 'refused';
    }
  });
  assert.equal(sent, 'refused');
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.head.append(s);
    return window.__injected === true;
  });
  assert.equal(ran, false, 'an injected inline script ran');
  const violations = await waitFor(async () => {
    const v = await page.evaluate(() => window.__violations);
    return v.length >= 2 && v;
  }, { what: 'the two violations reported' });
  assert.ok(violations.some((v) => v.startsWith('connect-src http://127.0.0.1:9')), violations.join('\n'));
  assert.ok(violations.some((v) => v.startsWith('script-src')), violations.join('\n'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('analysing real files of every kind, the page and its workers request nothing from another origin', async () => {
  const { context, page, requests, errors, consoleErrors } = await watchedPage();
  await page.goto(env.url);
  await page.locator('[data-testid=findings-headline]').waitFor({ timeout: 60000 });
  const files = [
    fixture('gin-heap-1.pb.gz'),
    fixture('gin-heap-2.pb.gz'),
    fixture('gin-goroutine-3.debug2.txt'),
    { name: 'node-leak-3.heapsnapshot.gz', bytes: fs.readFileSync(path.join(HEAP, 'node-leak-3.heapsnapshot.gz')) },
  ];
  await dropFiles(page, files);
  await waitFor(async () => (await page.locator('[data-testid=profile-item][data-status=ready]').count()) === files.length, {
    what: 'every file decoded',
    timeout: 60000,
  });
  await page.locator('[data-testid=findings-headline]').waitFor({ timeout: 60000 });
  // The report downloads are made in the page (Blob URLs), not fetched.
  const download = page.waitForEvent('download');
  await page.locator('[data-testid=export-markdown]').click();
  assert.match((await download).suggestedFilename(), /\.md$/);
  // Every view of the pprof series, the dump and the snapshot.
  await selectProfile(page, 'gin-heap-2.pb.gz');
  await page.locator('[data-testid=growth-row]').first().waitFor();
  await showTop(page);
  await page.locator('[data-testid=top-row]').first().waitFor();
  await page.locator('[data-testid=tab-flame]').click();
  await waitFor(async () => Number(await page.locator('canvas.flame-canvas').getAttribute('data-rects')) > 0, { what: 'flame rects' });
  await selectProfile(page, 'gin-goroutine-3.debug2.txt');
  await selectProfile(page, 'node-leak-3.heapsnapshot.gz');
  await page.locator('[data-testid=heap-class]').first().waitFor();
  await page.locator('[data-testid=heap-class]').first().click();

  const origin = new URL(env.url).origin;
  const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u));
  assert.deepEqual(foreign, [], 'requests to another origin');
  // The watch sees the workers' requests too: the worker fetches its wasm, and starts the
  // reader worker that inflated the snapshot.
  assert.ok(requests.some((u) => u.endsWith('/worker_bg.wasm')), `the worker's wasm request is seen: ${requests.join(' ')}`);
  assert.ok(requests.some((u) => u.endsWith('/file-reader.js')), 'the reader worker is seen');
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(consoleErrors.filter((m) => /Content Security Policy/i.test(m)), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('after one visit the page opens and analyses a dropped file with its server gone', async () => {
  // A server of its own, to take away: the page must then come from its service worker.
  const server = await serve(path.join(ROOT, 'dist'));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(url);
    await page.locator('[data-testid=findings-headline]').waitFor({ timeout: 60000 });
    // The service worker took over and cached the shell, the workers and the demo.
    await page.evaluate(() => navigator.serviceWorker.ready);
    const cached = await waitFor(async () => page.evaluate(async () => {
      if (!navigator.serviceWorker.controller) return null;
      const names = [];
      for (const key of await caches.keys()) {
        for (const r of await (await caches.open(key)).keys()) names.push(new URL(r.url).pathname);
      }
      return names.some((n) => n.endsWith('/worker_bg.wasm')) && names.some((n) => n.startsWith('/demo/gin-heap-3')) && names;
    }), { what: 'the offline cache filled', timeout: 30000 });
    assert.ok(cached.some((n) => /\/app-[\w]+_bg\.wasm$/.test(n)), `the app's wasm is cached: ${cached.join(' ')}`);

    // The network is gone: the server stops and drops its connections.
    await new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
    await page.reload();
    await page.locator('[data-testid=profile-item][data-status=ready]').first().waitFor({ timeout: 60000 });
    await page.locator('[data-testid=findings-headline]').waitFor({ timeout: 60000 });
    const offline = await page.evaluate(() => fetch('index.html', { cache: 'no-store' }).then(() => 'served', () => 'unreachable'));
    assert.equal(offline, 'served', 'index.html comes from the cache');
    await dropFiles(page, [fixture('gin-heap-1.pb.gz')]);
    await selectProfile(page, 'gin-heap-1.pb.gz');
    await page.locator('[data-testid=top-row]').first().waitFor();
    // Installable: the manifest is linked and names the app.
    const manifest = await page.evaluate(async () => (await fetch(document.querySelector('link[rel=manifest]').href)).json());
    assert.equal(manifest.short_name, 'leakscope');
    assert.equal(manifest.display, 'standalone');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    server.close();
  }
});
