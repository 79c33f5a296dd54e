// The leak checklist in real headless Chromium: a dropped series opens on its Findings, the
// planted cause first with the verdicts `leakscope check --json` gives for the same files; an
// evidence link opens the view that shows it (the growth ranking focused on the user's frame,
// a dump's goroutines grouped by wait state, a snapshot's retainers); the report downloads as
// Markdown and JSON.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, start, openPage, waitFor, dropFiles, fixture } from './support.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

const CAUSES = path.join(ROOT, 'tests/fixtures/causes');
const JS_CAUSES = path.join(ROOT, 'tests/fixtures/js-causes');
const file = (p) => ({ name: path.basename(p), bytes: fs.readFileSync(p) });
const filesIn = (dir) => fs.readdirSync(dir).sort().map((n) => path.join(dir, n));

/** `leakscope check --json` of `paths`. */
function check(paths) {
  try {
    return JSON.parse(execFileSync(path.join(ROOT, 'target/debug/leakscope'), ['check', ...paths, '--json'], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    }));
  } catch (e) {
    if (e.status === 3) return JSON.parse(e.stdout); // a likely leak: the CI exit code
    throw e;
  }
}

/** The page's findings as [cause, verdict], in order, once the checklist is in. */
async function pageFindings(page) {
  await page.locator('[data-testid=findings-headline]').waitFor({ timeout: 60000 });
  return page.locator('[data-testid=finding]').evaluateAll((els) => els.map((e) => [e.dataset.cause, e.dataset.verdict]));
}

/** Drops `paths` and waits until all are decoded. */
async function dropAll(page, paths) {
  await dropFiles(page, paths.map(file));
  await waitFor(async () => (await page.locator('[data-testid=profile-item][data-status=ready]').count()) === paths.length, {
    what: 'files decoded',
    timeout: 60000,
  });
}

/** The text of the download that clicking `testid` starts. */
async function download(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid=${testid}]`).click()]);
  return { name: dl.suggestedFilename(), text: fs.readFileSync(await dl.path(), 'utf8') };
}

test('a dropped leaky Go series opens on its findings, planted cause first, as leakscope check says', async () => {
  const { page, errors } = await openPage(env);
  const paths = filesIn(path.join(CAUSES, 'g1'));
  await dropAll(page, paths);
  const findings = await pageFindings(page);
  const cli = check(paths);
  assert.deepEqual(findings, cli.findings.map((f) => [f.cause, f.verdict]));
  assert.deepEqual(findings[0], ['G1', 'likely']);
  assert.deepEqual(findings.filter(([c, v]) => v === 'likely' && c !== 'G7').map(([c]) => c), ['G1']);
  assert.match(await page.locator('[data-testid=findings-headline]').textContent(), /One likely cause: G1/);
  // Every cause is listed; causes the files do not show stay folded.
  assert.equal(findings.length, 8);
  const g1 = page.locator('[data-testid=finding][data-cause=G1]');
  assert.equal(await g1.evaluate((d) => d.open), true);
  assert.match(await g1.locator('[data-testid=evidence]').first().textContent(), /goroutines wait on a channel at main\.g1/);

  // The first piece of evidence opens the goroutine growth, focused on the user's frame.
  const frame = cli.findings[0].evidence[0].frame;
  await g1.locator('[data-testid=evidence-link]').first().click();
  await page.locator('[data-testid=tab-growth][aria-selected=true]').waitFor();
  const focus = `^${frame.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  assert.equal(await page.locator('[data-testid=refine-focus]').inputValue(), focus);
  await waitFor(async () => {
    const names = await page.locator('[data-testid=growth-row]').evaluateAll((els) => els.map((e) => e.dataset.name));
    // Goroutines rank by stack: the stacks through the user's frame, and only those.
    return names.length > 0 && names.every((n) => n.split(';').includes(frame));
  }, { what: `growth rows of ${frame}` });

  // Back to the findings, the report downloads as Markdown and JSON.
  await page.locator('[data-testid=findings-nav]').click();
  await page.locator('[data-testid=findings-headline]').waitFor();
  const md = await download(page, 'export-markdown');
  assert.match(md.name, /\.md$/);
  assert.match(md.text, /^# /);
  assert.match(md.text, /## G1 Goroutines blocked forever on a channel or select — likely/);
  assert.ok(md.text.includes(frame), 'the evidence names the frame');
  const json = await download(page, 'export-json');
  assert.match(json.name, /\.json$/);
  const report = JSON.parse(json.text);
  assert.deepEqual(report.findings.map((f) => [f.cause, f.verdict]), findings);
  assert.ok(report.findings[0].fix.text.length > 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the healthy service has no likely leak', async () => {
  const { page, errors } = await openPage(env);
  const paths = filesIn(path.join(CAUSES, 'healthy'));
  await dropAll(page, paths);
  const findings = await pageFindings(page);
  assert.deepEqual(findings, check(paths).findings.map((f) => [f.cause, f.verdict]));
  assert.deepEqual(findings.filter(([c, v]) => v === 'likely' && c !== 'G7'), []);
  assert.match(await page.locator('[data-testid=findings-headline]').textContent(), /No leak is likely/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('one goroutine dump: goroutines by wait state and user frame, and what to capture next', async () => {
  const { page, errors } = await openPage(env);
  const dump = path.join(ROOT, 'tests/fixtures/pprof/gin-goroutine-3.debug2.txt');
  await dropAll(page, [dump]);
  const findings = await pageFindings(page);
  assert.deepEqual(findings, check([dump]).findings.map((f) => [f.cause, f.verdict]));
  const g1 = page.locator('[data-testid=finding][data-cause=G1]');
  assert.equal(await g1.getAttribute('data-verdict'), 'possible', 'one dump shows many waiting, not growth');
  // One file cannot show growth: the panel says how to take more.
  assert.match(await page.locator('[data-testid=capture-next]').textContent(), /debug\/pprof\/heap\?gc=1/);
  const link = g1.locator('[data-testid=evidence-link][data-view=goroutines]').first();
  await link.click();
  await page.locator('[data-testid=tab-goroutines][aria-selected=true]').waitFor();
  const row = page.locator('[data-testid=wait-row].highlight');
  await row.waitFor();
  assert.equal(await row.getAttribute('data-frame'), 'main.waitForReply');
  assert.equal(await row.getAttribute('data-state'), 'chan receive');
  assert.deepEqual(JSON.parse(await row.getAttribute('data-counts')), [190]);
  // A row opens its goroutines' stacks in the flame graph.
  await row.click();
  await page.locator('[data-testid=tab-flame][aria-selected=true]').waitFor();
  assert.equal(await page.locator('[data-testid=refine-focus]').inputValue(), '^main\\.waitForReply$');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a heap snapshot series names the cache that holds the growth and opens its retainers', async () => {
  const { page, errors } = await openPage(env);
  const paths = filesIn(path.join(JS_CAUSES, 'j2'));
  await dropAll(page, paths);
  const findings = await pageFindings(page);
  assert.deepEqual(findings, check(paths).findings.map((f) => [f.cause, f.verdict]));
  assert.deepEqual(findings.filter(([, v]) => v === 'likely').map(([c]) => c), ['J2']);
  const j2 = page.locator('[data-testid=finding][data-cause=J2]');
  assert.match(await j2.locator('[data-testid=evidence]').first().textContent(), /CachedResponse.*responseCache → Map internal table/);
  await j2.locator('[data-testid=evidence-link][data-view=retainers]').first().click();
  const top = page.locator('[data-testid=retainer-tree] [data-testid=retainer-top]');
  await top.waitFor({ timeout: 20000 });
  await page.locator('[data-testid=retainer-row]').first().waitFor({ timeout: 20000 });
  const texts = await page.locator('[data-testid=retainer-row] .name').allTextContents();
  assert.ok(texts.some((t) => /CachedResponse|Map|\(array\)/.test(t)), `retainers of a cached response: ${texts}`);
  assert.deepEqual(errors, []);
  await page.close();
});
