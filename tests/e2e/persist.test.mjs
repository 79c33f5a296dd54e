// Nothing lost: dropped files are kept in the browser's own storage, so a reload (or a new tab
// on the bare address, as after a closed browser) brings back the files and the view; the view
// lives in the URL, so back and forward step through it and a URL opens the view it names;
// "Clear all" empties the storage; a full quota says so and the file is analysed anyway.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { start, waitFor, dropFiles, fixture, selectProfile, profileItem } from './support.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

const FILES = ['gin-heap-1.pb.gz', 'gin-goroutine-2.debug2.txt'];

async function newPage(context) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

/** The names of the listed files, once none is decoding. */
async function listed(page) {
  await page.locator('[data-testid=profile-item][data-status=ready]').first().waitFor({ timeout: 30000 });
  await waitFor(async () => (await page.locator('[data-testid=profile-item][data-status=decoding]').count()) === 0, { what: 'files decoded' });
  return page.locator('[data-testid=profile-item]').evaluateAll((items) => items.map((i) => i.dataset.name));
}

/** The selected tab's test id, the view's title and the granularity shown. */
async function shown(page) {
  return {
    title: await page.locator('[data-testid=view-title]').textContent(),
    tab: await page.locator('[role=tab][aria-selected=true]').getAttribute('data-testid'),
    granularity: await page.locator('[data-testid=granularity] button[aria-pressed=true]').getAttribute('data-value'),
  };
}

async function tab(page, name) {
  await page.locator(`[data-testid=tab-${name}]`).click();
  await page.locator(`[data-testid=tab-${name}][aria-selected=true]`).waitFor();
}

test('a reload, and a new tab on the bare address, bring back the dropped files and the view', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, errors } = await newPage(context);
    await page.goto(env.url);
    await listed(page);
    await dropFiles(page, FILES.map(fixture));
    assert.deepEqual((await listed(page)).sort(), [...FILES].sort(), 'the drop replaced the demo');
    await selectProfile(page, 'gin-heap-1.pb.gz');
    await page.locator('[data-testid=granularity] button[data-value=lines]').click();
    await tab(page, 'flame');
    const before = await shown(page);
    assert.deepEqual(before, { title: 'gin-heap-1.pb.gz', tab: 'tab-flame', granularity: 'lines' });
    // The view is in the URL.
    const url = new URL(page.url());
    assert.equal(new URLSearchParams(url.hash.slice(1)).get('tab'), 'flame');
    assert.equal(new URLSearchParams(url.hash.slice(1)).get('g'), 'lines');
    // The files are written to the storage once none is decoding.
    await waitFor(async () => page.evaluate((n) => JSON.parse(localStorage.getItem('leakscope.files') ?? '[]').length === n, FILES.length), { what: 'the files kept' });

    await page.reload();
    assert.deepEqual((await listed(page)).sort(), [...FILES].sort(), 'the files came back, not the demo');
    await page.locator('.flame-canvas').waitFor();
    assert.deepEqual(await shown(page), before);

    // A new tab on the bare address (the browser was closed): the same files and view.
    const { page: again, errors: againErrors } = await newPage(context);
    await again.goto(env.url);
    assert.deepEqual((await listed(again)).sort(), [...FILES].sort());
    await again.locator('.flame-canvas').waitFor();
    assert.deepEqual(await shown(again), before);

    // A URL naming another view opens that view.
    const dump = await again.evaluate(() => JSON.parse(localStorage.getItem('leakscope.files')).find((f) => f.name.endsWith('.txt')).key);
    await again.goto(`${env.url}#file=${encodeURIComponent(dump)}&tab=stacks`);
    await again.reload();
    await listed(again);
    await waitFor(async () => (await again.locator('[data-testid=view-title]').textContent().catch(() => '')) === 'gin-goroutine-2.debug2.txt', { what: 'the dump shown' });
    await again.locator('[data-testid=tab-stacks][aria-selected=true]').waitFor();

    // Clear all: the page and the storage are empty; the next visit opens on the demo.
    await again.locator('[data-testid=clear-all]').click();
    await waitFor(async () => (await again.locator('[data-testid=profile-item]').count()) === 0, { what: 'the list emptied' });
    const kept = await again.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      const names = [];
      for await (const name of root.keys()) names.push(name);
      return { list: localStorage.getItem('leakscope.files'), names };
    });
    assert.equal(kept.list, '[]');
    assert.deepEqual(kept.names, [], 'the stored files are gone');
    await again.goto(env.url);
    const demo = await listed(again);
    const manifest = await again.evaluate(async () => (await fetch('demo/manifest.json')).json());
    assert.deepEqual([...demo].sort(), manifest.map((e) => e.file).sort(), 'the demo again');
    assert.equal(await again.locator('[data-testid=clear-all]').count(), 0, 'no file of the user is listed');
    assert.deepEqual([...errors, ...againErrors], []);
  } finally {
    await context.close();
  }
});

test('back and forward step through the views; removing a file forgets it', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, errors } = await newPage(context);
    await page.goto(env.url);
    await listed(page);
    await dropFiles(page, FILES.map(fixture));
    await listed(page);
    await selectProfile(page, 'gin-heap-1.pb.gz');
    await tab(page, 'top');
    await tab(page, 'stacks');
    await tab(page, 'flame');
    await page.locator('[data-testid=granularity] button[data-value=files]').click();
    await page.locator('[data-testid=granularity] button[data-value=files][aria-pressed=true]').waitFor();
    await selectProfile(page, 'gin-goroutine-2.debug2.txt');

    await page.goBack();
    await waitFor(async () => (await page.locator('[data-testid=view-title]').textContent()) === 'gin-heap-1.pb.gz', { what: 'back to the heap profile' });
    assert.deepEqual(await shown(page), { title: 'gin-heap-1.pb.gz', tab: 'tab-flame', granularity: 'files' });
    await page.goBack();
    await page.locator('[data-testid=granularity] button[data-value=functions][aria-pressed=true]').waitFor();
    assert.equal((await shown(page)).tab, 'tab-flame');
    await page.goBack();
    await page.locator('[data-testid=tab-stacks][aria-selected=true]').waitFor();
    await page.goBack();
    await page.locator('[data-testid=tab-top][aria-selected=true]').waitFor();
    await page.goForward();
    await page.locator('[data-testid=tab-stacks][aria-selected=true]').waitFor();
    assert.equal((await shown(page)).title, 'gin-heap-1.pb.gz');

    // × removes the file from the storage too: a reload brings back only the other.
    await profileItem(page, 'gin-goroutine-2.debug2.txt').locator('[data-testid=remove-profile]').click();
    await waitFor(async () => page.evaluate(() => JSON.parse(localStorage.getItem('leakscope.files')).length === 1), { what: 'the file forgotten' });
    await page.reload();
    assert.deepEqual(await listed(page), ['gin-heap-1.pb.gz']);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a full storage quota says so, and the file is analysed anyway', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, errors } = await newPage(context);
    // The browser's storage refuses every write, as a full quota does.
    await page.addInitScript(() => {
      FileSystemWritableFileStream.prototype.write = () => Promise.reject(new DOMException('Quota exceeded.', 'QuotaExceededError'));
    });
    await page.goto(env.url);
    await listed(page);
    await dropFiles(page, [fixture('gin-heap-1.pb.gz')]);
    await page.locator('[data-testid=error-banner]').filter({ hasText: 'storage for this page is full' }).waitFor();
    assert.match(await page.locator('[data-testid=error-banner]').textContent(), /gin-heap-1\.pb\.gz: not kept for your next visit/);
    await selectProfile(page, 'gin-heap-1.pb.gz');
    await page.locator('[data-testid=top-row]').first().waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('leakscope.files') ?? '[]'), '[]');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('without the Origin Private File System, IndexedDB keeps the files', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, errors } = await newPage(context);
    // A browser without OPFS (no navigator.storage.getDirectory).
    await page.addInitScript(() => {
      delete StorageManager.prototype.getDirectory;
    });
    await page.goto(env.url);
    await listed(page);
    await dropFiles(page, [fixture('gin-heap-1.pb.gz')]);
    await waitFor(async () => page.evaluate(() => (localStorage.getItem('leakscope.files') ?? '[]') !== '[]'), { what: 'the file kept' });
    const stored = await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('leakscope-files');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const get = open.result.transaction('files').objectStore('files').getAllKeys();
        get.onsuccess = () => resolve(get.result.length);
      };
    }));
    assert.equal(stored, 1, 'the file is in IndexedDB');
    await page.reload();
    assert.deepEqual(await listed(page), ['gin-heap-1.pb.gz']);
    await selectProfile(page, 'gin-heap-1.pb.gz');
    await page.locator('[data-testid=top-row]').first().waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("the flame graph's zoom, search and orientation, and the Sandwich's function, are in the URL and come back on reload", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, errors } = await newPage(context);
    await page.goto(env.url);
    await listed(page);
    await dropFiles(page, [fixture('gin-heap-1.pb.gz')]);
    await selectProfile(page, 'gin-heap-1.pb.gz');
    await tab(page, 'flame');
    const canvas = page.locator('.flame-canvas');
    await waitFor(async () => Number(await canvas.getAttribute('data-rects')) > 0, { what: 'painted' });
    // The view settled: a tree arriving later starts unzoomed, as it should.
    await page.locator('[data-testid=analysing]').waitFor({ state: 'detached' });
    // Ctrl+wheel zooms around the pointer (keys would need the page's focus, which a page
    // opened after other tests' pages may not have).
    const box = await canvas.boundingBox();
    await page.mouse.move(box.x + box.width * 0.3, box.y + 10);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -300);
    await page.keyboard.up('Control');
    const drawn = async () => (await canvas.getAttribute('data-range')).split(',').map(Number);
    await waitFor(async () => { const [l, r] = await drawn(); return l > 0 && r - l < 0.99; }, { what: 'zoomed and panned' });
    await page.locator('.flame-search').fill('gin');
    await page.locator('[data-testid=flame-orientation-flame]').click();
    await waitFor(async () => (await canvas.getAttribute('data-orientation')) === 'flame', { what: 'flipped' });
    const range = (await canvas.getAttribute('data-range')).split(',').map(Number);
    const matches = await page.locator('[data-testid=flame-match]').textContent();
    // The page's own location (playwright's page.url() can miss a replaceState that follows a
    // pushState closely).
    const inUrl = async () => new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
    await waitFor(async () => {
      const p = await inUrl();
      return p.get('search') === 'gin' && p.get('zoom') && p.get('flame') === 'flame';
    }, { what: 'the search, zoom and orientation in the URL' });
    const [a, b] = (await inUrl()).get('zoom').split(',').map(Number);
    assert.ok(Math.abs(a - range[0]) < 1e-5 && Math.abs(b - range[1]) < 1e-5, `zoom ${a},${b} vs drawn ${range}`);

    await page.reload();
    await listed(page);
    await page.locator('[data-testid=tab-flame][aria-selected=true]').waitFor();
    await waitFor(async () => (await canvas.getAttribute('data-orientation')) === 'flame', { what: 'flame orientation back' });
    await waitFor(async () => {
      const [l, r] = (await canvas.getAttribute('data-range')).split(',').map(Number);
      return Math.abs(l - range[0]) < 1e-5 && Math.abs(r - range[1]) < 1e-5;
    }, { what: 'the zoom back' });
    assert.equal(await page.locator('.flame-search').inputValue(), 'gin');
    assert.equal(await page.locator('[data-testid=flame-match]').textContent(), matches);

    // The Sandwich's function is in the URL too.
    await tab(page, 'top');
    const row = page.locator('[data-testid=top-row]').nth(1);
    const name = await row.locator('.fn-name').textContent();
    await row.locator('[data-testid=open-sandwich]').click();
    await page.locator('[data-testid=tab-sandwich][aria-selected=true]').waitFor();
    await waitFor(async () => (await page.locator("[data-testid=sandwich-function]").getAttribute("data-name").catch(() => null)) === name, { what: "the sandwich of " + name });
    await waitFor(async () => new URLSearchParams(new URL(page.url()).hash.slice(1)).get('fn') === name, { what: 'the function in the URL' });
    await page.reload();
    await listed(page);
    await page.locator('[data-testid=tab-sandwich][aria-selected=true]').waitFor();
    await waitFor(async () => (await page.locator("[data-testid=sandwich-function]").getAttribute("data-name").catch(() => null)) === name, { what: "the sandwich of " + name });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
