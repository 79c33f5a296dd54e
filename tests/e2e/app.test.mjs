// The user's path in real headless Chromium: open the page, drop or pick real profiles, and
// check what the page shows against the command-line tool (`leakscope top --json`), which
// runs the same analysis natively. Run by scripts/e2e.sh after a release build.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import zlib from 'node:zlib';
import {
  FIXTURES, LARGE_CPU, start, openPage, waitFor, dropFiles, fixture, profileItem, selectProfile, showFiles,
  pageTopRows, cliTopRows, expectTopRows, showTop, openFlameGraph,
} from './support.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

/** Drops `files` (each { name, bytes, path }) and checks each one's table against the CLI. */
async function dropAndCompare(page, files) {
  await dropFiles(page, files);
  for (const f of files) {
    await selectProfile(page, f.name);
    const expected = cliTopRows(f.path);
    assert.ok(expected.length > 0, `${f.name}: the CLI shows rows`);
    assert.deepEqual(await expectTopRows(page, expected, `${f.name} rows`), expected, `${f.name}: page = CLI`);
  }
}

test('the page opens with the demo profiles, their findings first, and shows the default one', async () => {
  const { page, errors } = await openPage(env, { findings: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, '../../../public/demo/manifest.json'), 'utf8'));
  await waitFor(async () => (await page.locator('[data-testid=profile-item][data-status=ready]').count()) === manifest.length, {
    what: 'all demo profiles decoded',
  });
  // The checklist of the demo's leaky Gin service comes first: its planted leaks are likely.
  await page.locator('[data-testid=findings-headline]').waitFor();
  const likely = await page.locator('[data-testid=finding][data-verdict=likely]').evaluateAll((els) => els.map((e) => e.dataset.cause));
  for (const cause of ['G1', 'G4']) assert.ok(likely.includes(cause), `${cause} likely: ${likely}`);
  await showFiles(page);
  // Every demo file is listed once (series grouped in time order, the rest after them).
  const names = await page.locator('[data-testid=profile-item]').evaluateAll((els) => els.map((e) => e.dataset.name));
  assert.deepEqual([...names].sort(), manifest.map((m) => m.file).sort());
  assert.equal(await page.locator('[data-testid=series-group]').count(), 2, 'heap and goroutine series');
  // The first demo profile is selected, on its series' Growth tab; its table matches the CLI.
  const first = manifest[0].file;
  assert.equal(await page.locator('[data-testid=view-title]').textContent(), first);
  await page.locator('[data-testid=growth-row]').first().waitFor();
  await showTop(page);
  const expected = cliTopRows(path.join(FIXTURES, '../../../public/demo', first));
  assert.deepEqual(await expectTopRows(page, expected, 'demo rows'), expected);
  assert.match(await profileItem(page, first).textContent(), /heap · [\d.]+[kMG]?B inuse_space/);
  // Sorting by cum puts the largest cum first (of all rows, not only the 20 largest flat ones);
  // sum% then follows that order.
  await page.locator('[data-testid=sort-cum]').click();
  const all = cliTopRows(path.join(FIXTURES, '../../../public/demo', first), [], Infinity);
  const maxCum = Math.max(...all.map((r) => r.cum));
  await waitFor(async () => (await pageTopRows(page, 1))[0]?.cum === maxCum, { what: 'cum order' });
  const cums = (await pageTopRows(page, 1000)).map((r) => r.cum);
  assert.deepEqual(cums, [...cums].sort((a, b) => b - a));
  assert.deepEqual(errors, []);
  await page.close();
});

test('dropped files show the same top rows as the CLI', async () => {
  const { page, errors } = await openPage(env);
  const names = ['gin-heap-1.pb.gz', 'gin-cpu-2.pb.gz', 'gin-mutex-3.pb.gz', 'gin-block-3.pb.gz', 'gin-goroutine-3.debug2.txt'];
  const files = names.map((n) => ({ ...fixture(n), path: path.join(FIXTURES, n) }));
  if (fs.existsSync(LARGE_CPU)) {
    files.push({ name: path.basename(LARGE_CPU), bytes: fs.readFileSync(LARGE_CPU), path: LARGE_CPU });
  } else if (process.env.CI === 'true') {
    assert.fail(`${LARGE_CPU} is absent: CI has the corpus, so under CI=true it must be there`);
  } else {
    console.log(`note: ${LARGE_CPU} is absent; the large corpus profile is skipped`);
  }
  // Dragging files over the page highlights the drop zone.
  const zone = page.locator('[data-testid=drop-zone]');
  await zone.dispatchEvent('dragenter');
  assert.match(await zone.getAttribute('class'), /dragging/);
  await zone.dispatchEvent('dragleave');
  assert.doesNotMatch(await zone.getAttribute('class'), /dragging/);
  await dropAndCompare(page, files);
  if (fs.existsSync(LARGE_CPU)) {
    // Thousands of rows: the page renders 500 at a time (a screenful first, the rest of
    // those 500 a frame later), with "show more".
    const rows = page.locator('[data-testid=top-row]');
    await waitFor(async () => (await rows.count()) === 500, { what: 'the first 500 rows' });
    await page.locator('[data-testid=show-more]').click();
    await waitFor(async () => (await rows.count()) === 1000, { what: '1000 rows after show more' });
  }

  // A non-default sample type and another granularity, for the heap profile.
  await selectProfile(page, 'gin-heap-1.pb.gz');
  const select = page.locator('[data-testid=sample-type]');
  const index = await select.locator('option').evaluateAll((os) => os.findIndex((o) => o.textContent.startsWith('alloc_space')));
  assert.ok(index >= 0, 'heap profile offers alloc_space');
  await select.selectOption(String(index));
  const heap = path.join(FIXTURES, 'gin-heap-1.pb.gz');
  let expected = cliTopRows(heap, ['--sample-index', 'alloc_space']);
  assert.deepEqual(await expectTopRows(page, expected, 'alloc_space rows'), expected);
  await page.locator('[data-testid=granularity] button[data-value=lines]').click();
  expected = cliTopRows(heap, ['--sample-index', 'alloc_space', '--granularity', 'lines']);
  assert.deepEqual(await expectTopRows(page, expected, 'alloc_space lines rows'), expected);
  await page.locator('[data-testid=granularity] button[data-value=files]').click();
  expected = cliTopRows(heap, ['--sample-index', 'alloc_space', '--granularity', 'files']);
  assert.deepEqual(await expectTopRows(page, expected, 'alloc_space files rows'), expected);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the view tabs are ARIA tabs: one in the Tab order, and the arrow keys, Home and End switch them', async () => {
  const { page, errors } = await openPage(env);
  const list = page.getByRole('tablist', { name: 'Profile views' });
  const tabs = list.getByRole('tab');
  await page.locator('[data-testid=growth-row]').first().waitFor();
  const names = await tabs.allTextContents();
  assert.deepEqual(names.slice(-4), ['Top', 'Stacks', 'Flame graph', 'Sandwich']);
  // The shown tab, whether it has the focus, and whether it alone is in the Tab order.
  const state = async () => {
    const states = await tabs.evaluateAll((ts) => ts.map((t) => [t.textContent, t.getAttribute('aria-selected'), t.tabIndex, document.activeElement === t]));
    const on = states.filter((s) => s[1] === 'true');
    const inOrder = states.filter((s) => s[2] === 0).map((s) => s[0]);
    return { name: on.map((s) => s[0]).join('|'), focused: on.length === 1 && on[0][3], alone: inOrder.length === 1 && inOrder[0] === on[0]?.[0] };
  };
  // Each step waits for the page to have re-rendered the tabs.
  const expectShown = async (name, focused = true) => {
    let last;
    await waitFor(async () => {
      last = await state();
      return last.name === name && last.focused === focused && last.alone;
    }, { what: `${name} shown` }).catch(() => {});
    assert.deepEqual(last, { name, focused, alone: true });
  };
  await expectShown('Growth', false);
  await page.getByRole('tab', { name: 'Growth' }).focus();
  await page.keyboard.press('ArrowRight');
  await expectShown(names[1]);
  await page.keyboard.press('End');
  await expectShown('Sandwich');
  await page.locator('[data-testid=sandwich-empty]').waitFor();
  await page.keyboard.press('ArrowRight'); // wraps to the first
  await expectShown(names[0]);
  await page.keyboard.press('ArrowLeft'); // and back to the last
  await expectShown('Sandwich');
  await page.keyboard.press('Home');
  await expectShown(names[0]);
  await page.keyboard.press('End');
  await expectShown('Sandwich');
  await page.keyboard.press('ArrowLeft');
  await expectShown('Flame graph');
  await page.locator('canvas.flame-canvas').waitFor();
  await page.keyboard.press('ArrowLeft');
  await expectShown('Stacks');
  await page.keyboard.press('ArrowLeft');
  await expectShown('Top');
  await page.getByRole('tabpanel').locator('[data-testid=top-row]').first().waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('the file picker loads a goroutine debug=1 dump', async () => {
  const { page, errors } = await openPage(env);
  const file = path.join(FIXTURES, 'gin-goroutine-3.debug1.txt');
  await page.locator('[data-testid=file-input]').setInputFiles(file);
  await selectProfile(page, 'gin-goroutine-3.debug1.txt');
  const expected = cliTopRows(file);
  assert.ok(expected.length > 0);
  assert.deepEqual(await expectTopRows(page, expected, 'picked file rows'), expected);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the flame graph draws, zooms on click and shows a tooltip on hover', async () => {
  const { page, errors } = await openPage(env);
  const canvas = await openFlameGraph(page);
  const box = await canvas.boundingBox();
  const tip = page.locator('.flame-tip-name');
  // Find a frame below the roots: hover along a few rows until the tooltip names one.
  let hit = null;
  for (const row of [2, 3, 1, 4, 5]) {
    for (const fx of [0.3, 0.1, 0.5, 0.7, 0.02]) {
      const x = box.x + box.width * fx;
      const y = box.y + row * 18 + 9;
      await page.mouse.move(x, y);
      await page.waitForTimeout(50);
      if (await tip.isVisible()) {
        hit = { x, y, name: await tip.textContent() };
        break;
      }
    }
    if (hit) break;
  }
  assert.ok(hit, 'hovering a frame shows the tooltip');
  assert.ok(hit.name.length > 0, 'the tooltip names the frame');
  // The last paint's duration, as the canvas reports it: a measured number, not the empty
  // attribute it starts with.
  const paintText = await canvas.getAttribute('data-paint-ms');
  assert.match(paintText, /^\d+\.\d{2}$/, `data-paint-ms is a measured duration: ${JSON.stringify(paintText)}`);
  assert.ok(Number(paintText) < 10000, `a paint takes less than 10 s: ${paintText}`);
  await page.mouse.click(hit.x, hit.y);
  await waitFor(async () => (await canvas.getAttribute('data-zoom')) === hit.name, { what: 'zoom to the clicked frame' });
  assert.ok(Number(await canvas.getAttribute('data-rects')) > 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the flame graph zooms with Ctrl+wheel around the pointer, pans by drag and by keys, and resets', async () => {
  const { page, errors } = await openPage(env);
  const canvas = await openFlameGraph(page);
  const range = async () => (await canvas.getAttribute('data-range')).split(',').map(Number);
  assert.deepEqual(await range(), [0, 1]);
  const box = await canvas.boundingBox();
  const px = box.width * 0.3;
  // Ctrl+wheel (a trackpad pinch arrives as one) zooms in around the pointer.
  await page.mouse.move(box.x + px, box.y + 10);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -300);
  await page.keyboard.up('Control');
  await waitFor(async () => { const [a, b] = await range(); return b - a < 0.9; }, { what: 'zoomed in' });
  const [l, r] = await range();
  // (within a pixel: the browser reports the pointer's offset in whole pixels)
  assert.ok(Math.abs(l + 0.3 * (r - l) - 0.3) < 1.5 / box.width, `the point under the pointer stays: ${l},${r}`);
  assert.equal(await page.locator('.flame-reset').isEnabled(), true);
  // A drag to the right shows what is to the left, by as many pixels, and zooms to no frame.
  await page.mouse.move(box.x + px, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + px + 50, box.y + 10, { steps: 3 });
  await page.mouse.move(box.x + px + 100, box.y + 10, { steps: 3 });
  await page.mouse.up();
  await waitFor(async () => (await range())[0] < l - 1e-9, { what: 'panned' });
  const [l2, r2] = await range();
  assert.ok(Math.abs((r2 - l2) - (r - l)) < 1e-9, 'the span is kept');
  assert.ok(Math.abs((l - l2) - (100 / box.width) * (r - l)) < (1.5 / box.width) * (r - l), `moved by the dragged pixels: ${l} -> ${l2}`);
  assert.equal(await canvas.getAttribute('data-zoom'), '', 'a drag is not a click on a frame');
  // Keys on the focused graph: + zooms in around the middle, → pans, 0 resets.
  await page.locator('.flame-graph').focus();
  await page.keyboard.press('+');
  await waitFor(async () => { const [a, b] = await range(); return Math.abs((b - a) - 0.7 * (r2 - l2)) < 1e-6; }, { what: '+ zooms in' });
  const [l3] = await range();
  await page.keyboard.press('ArrowRight');
  await waitFor(async () => (await range())[0] > l3 + 1e-9, { what: 'the arrow pans' });
  await page.keyboard.press('0');
  await waitFor(async () => JSON.stringify(await range()) === '[0,1]', { what: 'reset' });
  // Click-to-zoom and the tooltip still work after all that.
  await page.mouse.click(box.x + 5, box.y + 9);
  await waitFor(async () => (await canvas.getAttribute('data-zoom')) !== '', { what: 'click zoom' });
  assert.deepEqual(errors, []);
  await page.close();
});

/** The name the flame graph's tooltip shows after the pointer moves to (x, y), or null. */
async function tipAt(page, x, y) {
  await page.mouse.move(x, y);
  const tip = page.locator('.flame-tip-name');
  return (await tip.isVisible()) ? tip.textContent() : null;
}

/** Waits until the pointer at (x, y) names `name` in the tooltip. */
async function expectTipAt(page, x, y, name, what) {
  let got;
  await waitFor(async () => (got = await tipAt(page, x, y)) === name, { what: `${what}: ${name}` }).catch(() => {});
  assert.equal(got, name, what);
}

/** Clicks the flame graph's export button `kind` (svg, png); returns the download's name and bytes. */
async function exportFlame(page, kind) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid=flame-export-${kind}]`).click()]);
  return { name: dl.suggestedFilename(), bytes: fs.readFileSync(await dl.path()) };
}

/**
 * An exported SVG as the browser's XML parser reads it (it throws on a malformed document):
 * its size, background and frames ({ name: first title line, x, y, w, h, fill, label }).
 */
async function parseSvg(page, bytes) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const error = doc.querySelector('parsererror');
    if (error) throw new Error(`malformed SVG: ${error.textContent}`);
    const svg = doc.documentElement;
    const frames = [...svg.children].filter((e) => e.tagName === 'g').map((g) => {
      const r = g.querySelector('rect');
      const n = (a) => Number(r.getAttribute(a));
      return {
        name: g.querySelector('title').textContent.split('\n')[0],
        x: n('x'), y: n('y'), w: n('width'), h: n('height'),
        fill: r.getAttribute('fill'),
        label: g.querySelector('text')?.textContent ?? null,
      };
    });
    const bg = [...svg.children].find((e) => e.tagName === 'rect');
    return { tag: svg.tagName, width: Number(svg.getAttribute('width')), height: Number(svg.getAttribute('height')), background: bg?.getAttribute('fill') ?? null, frames };
  }, bytes.toString('utf8'));
}

/** The channels of a computed `rgb(r, g, b)` colour. */
const rgb = (css) => (css?.match(/^rgba?\((\d+), (\d+), (\d+)/) ?? [null, NaN, NaN, NaN]).slice(1, 4).map(Number);

/** A frame's full width before the 1 px gap the painter leaves on its right (none on slivers). */
const fullWidth = (f) => f.w + (f.w + 1 >= 3 ? 1 : 0);

/** Switches the flame graph to `orientation` (flame, icicle) and waits for it to be painted. */
async function orient(page, canvas, orientation) {
  await page.locator(`[data-testid=flame-orientation-${orientation}]`).click();
  await waitFor(async () => (await canvas.getAttribute('data-orientation')) === orientation, { what: `${orientation} painted` });
  assert.equal(await page.locator(`[data-testid=flame-orientation-${orientation}]`).getAttribute('aria-pressed'), 'true');
}

test('the flame graph flips between icicle and flame, and exports the view as SVG and PNG', async () => {
  const { page, errors } = await openPage(env);
  await showTop(page);
  await page.locator('[data-testid=top-row]').first().waitFor();
  const title = await page.locator('[data-testid=view-title]').textContent();
  const total = Number(await page.locator('[data-testid=top-table]').getAttribute('data-total'));
  const top = await pageTopRows(page, 8);
  const canvas = await openFlameGraph(page);
  assert.equal(await canvas.getAttribute('data-orientation'), 'icicle', 'roots at the top first');
  const box = await canvas.boundingBox();
  const mid = box.x + box.width / 2;
  // Icicle: the root is the top row.
  const root = await waitFor(() => tipAt(page, mid, box.y + 9), { what: 'a root on the top row' });
  // Flame: the same root is now the bottom row, and the top row is something else.
  await orient(page, canvas, 'flame');
  const flipped = await canvas.boundingBox();
  await expectTipAt(page, mid, flipped.y + flipped.height - 9, root, 'the bottom row is the root');
  assert.notEqual(await tipAt(page, mid, flipped.y + 9), root, 'the top row is not the root');

  // SVG of the flame view: one frame per painted rectangle, the root row at the bottom, widths
  // in proportion to the top table's cum values.
  const svgFile = await exportFlame(page, 'svg');
  assert.equal(svgFile.name, `${title.replace(/\.pb\.gz$/, '')}-flame.svg`);
  const svg = await parseSvg(page, svgFile.bytes);
  assert.equal(svg.tag, 'svg');
  assert.ok(Math.abs(svg.width - flipped.width) <= 1 && Math.abs(svg.height - flipped.height) <= 1, `SVG ${svg.width}×${svg.height}, canvas ${flipped.width}×${flipped.height}`);
  assert.ok(rgb(svg.background).every((c) => c > 200), `the light page background: ${svg.background}`);
  assert.equal(svg.frames.length, Number(await canvas.getAttribute('data-rects')), 'one frame per painted rectangle');
  const bottom = Math.max(...svg.frames.map((f) => f.y));
  assert.equal(bottom, svg.height - 18, 'the last row is at the bottom');
  const roots = svg.frames.filter((f) => f.y === bottom).sort((a, b) => a.x - b.x);
  assert.ok(roots.some((f) => f.name === root), `${root} is a root: ${roots.map((f) => f.name)}`);
  assert.equal(roots[0].x, 0);
  assert.ok(Math.abs(roots.reduce((s, f) => s + fullWidth(f), 0) - svg.width) < 1, 'the roots span the width');
  // A function's width is its cum share: the sum over its outermost frames (those with no frame
  // of the same name below them, around their middle).
  const outermost = (name) => svg.frames.filter((f) => f.name === name && !svg.frames.some((g) => g.name === name && g.y > f.y && g.x <= f.x + f.w / 2 && f.x + f.w / 2 < g.x + fullWidth(g)));
  assert.ok(top.length >= 5 && total > 0, `top rows and total: ${top.length}, ${total}`);
  for (const row of top) {
    const frames = outermost(row.name);
    assert.ok(frames.length > 0, `${row.name} is drawn`);
    const drawn = frames.reduce((s, f) => s + fullWidth(f), 0);
    const expected = (row.cum / total) * svg.width;
    assert.ok(Math.abs(drawn - expected) <= 1 + expected * 0.002, `${row.name}: ${drawn} px for cum ${row.cum} of ${total} (${expected} px)`);
  }
  // The SVG's frame is where the canvas hit-tests it.
  const widest = outermost(top[0].name).sort((a, b) => b.w - a.w)[0];
  await expectTipAt(page, flipped.x + widest.x + widest.w / 2, flipped.y + widest.y + widest.h / 2, top[0].name, 'the SVG frame is on the canvas');

  // The search highlight and a zoom are exported too.
  await page.locator('.flame-search').fill(top[0].name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  await waitFor(async () => /matched/.test(await page.locator('[data-testid=flame-match]').textContent()), { what: 'search' });
  await page.mouse.click(flipped.x + widest.x + widest.w / 2, flipped.y + widest.y + widest.h / 2);
  await waitFor(async () => (await canvas.getAttribute('data-zoom')) === top[0].name, { what: 'zoomed' });
  const zoomed = await parseSvg(page, (await exportFlame(page, 'svg')).bytes);
  const focused = zoomed.frames.filter((f) => f.name === top[0].name);
  assert.ok(focused.some((f) => f.x === 0 && Math.abs(fullWidth(f) - zoomed.width) < 1), 'the zoomed frame fills the width');
  assert.ok(focused.every((f) => f.fill === '#d946ef'), 'matches are highlighted');
  assert.ok(zoomed.frames.some((f) => f.name !== top[0].name && f.fill !== '#d946ef'), 'the rest is not');
  assert.equal(zoomed.frames.find((f) => f.y === Math.max(...zoomed.frames.map((g) => g.y))).name, roots.find((f) => f.x <= widest.x && widest.x < f.x + fullWidth(f)).name, 'still a flame: its root at the bottom');

  // PNG: the canvas' own pixels, at its device-pixel size.
  const png = await exportFlame(page, 'png');
  assert.equal(png.name, `${title.replace(/\.pb\.gz$/, '')}-flame.png`);
  assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  const size = await canvas.evaluate((c) => [c.width, c.height]);
  assert.deepEqual([png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)], size, 'the canvas size');

  // Back to an icicle: the root is on top again.
  await page.locator('.flame-reset').click();
  await orient(page, canvas, 'icicle');
  await expectTipAt(page, mid, box.y + 9, root, 'the top row is the root again');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the diff and heap snapshot flame graphs flip and export too', async () => {
  const { page, errors } = await openPage(env);
  // The demo's heap series: its diff flame graph, coloured by change.
  const title = await page.locator('[data-testid=view-title]').textContent();
  await page.locator('[data-testid=tab-diff]').click();
  let canvas = page.locator('canvas.flame-canvas');
  await waitFor(async () => Number(await canvas.getAttribute('data-rects')) > 0, { what: 'diff flame graph' });
  await canvas.scrollIntoViewIfNeeded();
  await orient(page, canvas, 'flame');
  let box = await canvas.boundingBox();
  const root = await waitFor(() => tipAt(page, box.x + box.width / 2, box.y + box.height - 9), { what: 'a root on the bottom row' });
  let file = await exportFlame(page, 'svg');
  assert.match(file.name, /^gin-heap-\d-diff-flame\.svg$/, `${file.name} (shown: ${title})`);
  let svg = await parseSvg(page, file.bytes);
  assert.equal(svg.frames.length, Number(await canvas.getAttribute('data-rects')));
  const bottom = Math.max(...svg.frames.map((f) => f.y));
  assert.ok(svg.frames.some((f) => f.y === bottom && f.name === root), 'the hovered root is in the bottom row');
  // Diff colours: the red-blue scale, not the name swatches; more than one step of it.
  assert.ok(new Set(svg.frames.map((f) => f.fill)).size > 1, 'frames differ by change');
  // In the dark scheme the export carries the dark background the page shows.
  await page.emulateMedia({ colorScheme: 'dark' });
  svg = await parseSvg(page, (await exportFlame(page, 'svg')).bytes);
  assert.ok(rgb(svg.background).every((c) => c < 80), `the dark page background: ${svg.background}`);
  await page.emulateMedia({ colorScheme: 'light' });
  // A heap snapshot's flame graph (dominator paths).
  await dropFiles(page, [{ name: 'node-leak-3.heapsnapshot.gz', bytes: fs.readFileSync(path.join(FIXTURES, '../heapsnapshot/node-leak-3.heapsnapshot.gz')) }]);
  await selectProfile(page, 'node-leak-3.heapsnapshot.gz');
  await page.locator('[data-testid=tab-heap-flame]').click();
  canvas = page.locator('canvas.flame-canvas');
  await waitFor(async () => Number(await canvas.getAttribute('data-rects')) > 0, { what: 'heap flame graph' });
  await orient(page, canvas, 'flame');
  box = await canvas.boundingBox();
  const heapRoot = await waitFor(() => tipAt(page, box.x + box.width / 2, box.y + box.height - 9), { what: 'a heap root on the bottom row' });
  file = await exportFlame(page, 'svg');
  assert.equal(file.name, 'node-leak-3-flame.svg');
  svg = await parseSvg(page, file.bytes);
  assert.equal(svg.frames.length, Number(await canvas.getAttribute('data-rects')));
  assert.ok(svg.frames.some((f) => f.y === svg.height - 18 && f.name === heapRoot), 'the heap root is in the bottom row');
  const png = await exportFlame(page, 'png');
  assert.equal(png.name, 'node-leak-3-flame.png');
  assert.deepEqual([png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)], await canvas.evaluate((c) => [c.width, c.height]));
  assert.deepEqual(errors, []);
  await page.close();
});

test('bad files are reported by name while a good one loads', async () => {
  const { page, errors } = await openPage(env);
  const good = fixture('gin-mutex-3.pb.gz');
  const heap = fs.readFileSync(path.join(FIXTURES, 'gin-heap-2.pb.gz'));
  const random = Buffer.alloc(4096);
  for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 251;
  const bad = [
    { name: 'bad.bin', bytes: random },
    { name: 'empty.pb.gz', bytes: Buffer.alloc(0) },
    { name: 'truncated.pb.gz', bytes: heap.subarray(0, Math.floor(heap.length / 2)) },
  ];
  await dropFiles(page, [bad[0], good, bad[1], bad[2]]);
  for (const b of bad) {
    await profileItem(page, b.name).and(page.locator('[data-status=failed]')).waitFor();
    const banner = await page.locator('[data-testid=error-banner]').textContent();
    assert.ok(banner.includes(`${b.name}: `), `the banner names ${b.name}: ${banner}`);
  }
  // The cut-off file's message names the fault.
  const truncated = await page.locator('[data-testid=error-banner]').textContent();
  assert.match(truncated, /truncated\.pb\.gz: [^\n]*truncated/, truncated);
  await selectProfile(page, good.name);
  const expected = cliTopRows(path.join(FIXTURES, good.name));
  assert.deepEqual(await expectTopRows(page, expected, 'good file rows'), expected);
  // The dropped files replaced the demo; the page still works: the good profile can be
  // removed, and the failed ones stay listed with their messages.
  assert.equal(await page.locator('[data-testid=profile-item]').count(), 4);
  await profileItem(page, good.name).locator('[data-testid=remove-profile]').click();
  assert.equal(await profileItem(page, good.name).count(), 0);
  assert.equal(await page.locator('[data-testid=profile-item][data-status=failed]').count(), 3);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a gzip file of two members loads whole, as the CLI reads it', async () => {
  // Go's gzip.Reader and pprof read every member, and so must the page: a reader that stops
  // at the first member would show half the profile.
  const raw = zlib.gunzipSync(fs.readFileSync(path.join(FIXTURES, 'gin-heap-2.pb.gz')));
  const half = Math.floor(raw.length / 2);
  const bytes = Buffer.concat([zlib.gzipSync(raw.subarray(0, half)), zlib.gzipSync(raw.subarray(half))]);
  const file = path.join(os.tmpdir(), `leakscope-two-members-${process.pid}.pb.gz`);
  fs.writeFileSync(file, bytes);
  try {
    const expected = cliTopRows(file);
    assert.deepEqual(expected, cliTopRows(path.join(FIXTURES, 'gin-heap-2.pb.gz')), 'the CLI reads both members');
    const { page, errors } = await openPage(env);
    await dropAndCompare(page, [{ name: 'two-members.pb.gz', bytes, path: file }]);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    fs.rmSync(file, { force: true });
  }
});

test('a focus regex narrows the table; a bad regex is reported and the table stays', async () => {
  const { page, errors } = await openPage(env);
  await showTop(page);
  await page.locator('[data-testid=top-row]').first().waitFor();
  const table = page.locator('[data-testid=top-table]');
  const before = Number(await table.getAttribute('data-shown-total'));
  const demo = path.join(FIXTURES, '../../../public/demo', await page.locator('[data-testid=view-title]').textContent());
  const focus = page.locator('[data-testid=refine-focus]');
  await focus.fill('responseCache');
  const expected = cliTopRows(demo, ['--focus', 'responseCache']);
  assert.deepEqual(await expectTopRows(page, expected, 'focused rows'), expected);
  const focused = Number(await table.getAttribute('data-shown-total'));
  assert.ok(focused > 0 && focused < before, `total drops: ${before} -> ${focused}`);

  const rows = await pageTopRows(page, 1000);
  await focus.fill('(unclosed');
  await page.locator('[data-testid=refine-error]').waitFor();
  assert.match(await page.locator('[data-testid=refine-error]').textContent(), /unclosed|group|regex|parse/i);
  assert.deepEqual(await pageTopRows(page, 1000), rows, 'the last good table stays');
  await focus.fill('');
  await waitFor(async () => Number(await table.getAttribute('data-shown-total')) === before, { what: 'unfocused total' });
  assert.equal(await page.locator('[data-testid=refine-error]').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a file too big for the tab is refused before reading', async () => {
  const { page, errors } = await openPage(env);
  // A sparse 1.6 GB file: refused by size, so its bytes are never read.
  const big = path.join(os.tmpdir(), `leakscope-big-${process.pid}.pb.gz`);
  const fd = fs.openSync(big, 'w');
  fs.ftruncateSync(fd, Math.floor(1.6 * 1024 ** 3));
  fs.closeSync(fd);
  try {
    await page.locator('[data-testid=file-input]').setInputFiles(big);
    const item = profileItem(page, path.basename(big));
    await item.and(page.locator('[data-status=failed]')).waitFor();
    assert.match(await item.textContent(), /too big/);
  } finally {
    fs.rmSync(big, { force: true });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a crashed worker is reported, restarted and given the profiles again', async () => {
  const { page, errors } = await openPage(env);
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, '../../../public/demo/manifest.json'), 'utf8'));
  const ready = page.locator('[data-testid=profile-item][data-status=ready]');
  await waitFor(async () => (await ready.count()) === manifest.length, { what: 'demo decoded' });
  await showTop(page);
  await page.locator('[data-testid=top-row]').first().waitFor();
  await page.evaluate(() => window.dispatchEvent(new Event('leakscope:crash-worker')));
  await waitFor(async () => /worker crashed/.test((await page.locator('[data-testid=error-banner]').textContent().catch(() => '')) ?? ''), {
    what: 'crash reported',
  });
  // The fresh worker decodes every profile again and the view comes back.
  await waitFor(async () => (await ready.count()) === manifest.length, { what: 'profiles decoded again' });
  const expected = cliTopRows(path.join(FIXTURES, '../../../public/demo', manifest[0].file));
  assert.deepEqual(await expectTopRows(page, expected, 'rows after restart'), expected);
  // And it still takes new files.
  await dropFiles(page, [fixture('gin-block-3.pb.gz')]);
  await selectProfile(page, 'gin-block-3.pb.gz');
  const block = cliTopRows(path.join(FIXTURES, 'gin-block-3.pb.gz'));
  assert.deepEqual(await expectTopRows(page, block, 'rows of a file dropped after restart'), block);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an empty sample type says so and offers alloc_space', async (t) => {
  const file = path.join(path.dirname(LARGE_CPU), 'pyroscope_go.heap.small.pb.gz');
  if (!fs.existsSync(file)) {
    t.skip(`${file} is absent`);
    return;
  }
  const { page, errors } = await openPage(env);
  await dropFiles(page, [{ name: 'small.heap.pb.gz', bytes: fs.readFileSync(file) }]);
  await selectProfile(page, 'small.heap.pb.gz');
  const notice = page.locator('[data-testid=empty-type-notice]');
  await notice.waitFor();
  assert.match(await notice.textContent(), /no inuse_space/);
  await notice.locator('[data-testid=switch-sample-type]').click();
  const expected = cliTopRows(file, ['--sample-index', 'alloc_space']);
  assert.ok(expected.length > 0);
  assert.deepEqual(await expectTopRows(page, expected, 'alloc_space rows'), expected);
  assert.equal(await notice.count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

/** WCAG contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, b] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('dark mode follows the system setting, keeps text readable and draws the chart dark', async () => {
  const colours = async (scheme) => {
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: scheme });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(env.url);
    await page.locator('[data-testid=profile-item][data-status=ready]').first().waitFor();
    await showFiles(page);
    // The demo's series opens on its growth chart: a canvas painted by the page.
    const chart = page.locator('[data-testid=series-chart]');
    await chart.waitFor();
    await page.locator('[data-testid=growth-row]').first().waitFor();
    const c = await page.evaluate(() => {
      const css = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
      const canvas = document.querySelector('[data-testid=series-chart]');
      const [r, g, b] = canvas.getContext('2d').getImageData(2, 2, 1, 1).data;
      return {
        bg: css('body', 'backgroundColor'),
        text: css('body', 'color'),
        panel: css('.profile-item', 'backgroundColor'),
        muted: css('.muted', 'color'),
        row: css('[data-testid=growth-row]', 'color'),
        chart: `rgb(${r}, ${g}, ${b})`,
      };
    });
    if (scheme === 'dark') await page.screenshot({ path: path.join(os.tmpdir(), 'leakscope-dark.png') });
    assert.deepEqual(errors, []);
    await context.close();
    return c;
  };
  const light = await colours('light');
  const dark = await colours('dark');
  const white = 'rgb(255, 255, 255)';
  const black = 'rgb(0, 0, 0)';
  // Dark backgrounds and a dark chart in the dark scheme, light ones in the light scheme.
  for (const key of ['bg', 'panel', 'chart']) {
    assert.ok(contrast(dark[key], black) < 1.5, `dark ${key} ${dark[key]}`);
    assert.ok(contrast(light[key], white) < 1.2, `light ${key} ${light[key]}`);
  }
  // Readable in both: body text at least 7:1 (AAA), muted text at least 4.5:1 (AA).
  for (const [name, c] of [['light', light], ['dark', dark]]) {
    assert.ok(contrast(c.text, c.bg) >= 7, `${name} text ${c.text} on ${c.bg}`);
    assert.ok(contrast(c.row, c.panel) >= 7, `${name} rows ${c.row} on ${c.panel}`);
    assert.ok(contrast(c.muted, c.panel) >= 4.5, `${name} muted ${c.muted} on ${c.panel}`);
    assert.ok(contrast(c.muted, c.bg) >= 4.5, `${name} muted ${c.muted} on ${c.bg}`);
  }
  assert.ok(fs.statSync(path.join(os.tmpdir(), 'leakscope-dark.png')).size > 10_000, 'dark screenshot written');
});
