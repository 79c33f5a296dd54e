// Trunk post-build hook (Trunk.toml): puts leakscope's Content-Security-Policy into the built
// index.html as a <meta> element, before any script, so that even a bug cannot send a dropped
// file anywhere: the page may talk to its own origin only (connect-src 'self'), load scripts
// from it and run WebAssembly, and nothing else. Trunk's inline module loader is allowed by its
// SHA-256 (computed here, as it changes with every build's file names), no other inline script.
// Inline style attributes stay allowed (the views size bars and virtual lists with them); they
// cannot run code or send data.
//
// A <meta> policy covers the page; workers take theirs from their own response, so a host that
// can set headers should also send this policy as a `Content-Security-Policy` header for every
// file (tests/e2e/serve.mjs does, reading it back from index.html with `policyOf`).
//
// Usage: node scripts/csp.mjs [DIR]   (DIR: $TRUNK_STAGING_DIR, else dist/;
//        LEAKSCOPE_DEV_SERVER=1: the dev server's policy, with inline scripts allowed)
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The policy for a page whose inline scripts are `inline` (their exact text). With `dev`
 * (`trunk serve`, whose live-reload script is written into the page as it is served, so no
 * hash can be known here) inline scripts are allowed; a built site never is.
 */
export function policy(inline, { dev = false } = {}) {
  const hashes = dev
    ? ["'unsafe-inline'"]
    : inline.map((text) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`);
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The policy already in `html`'s <meta http-equiv=Content-Security-Policy>, or null. */
export function policyOf(html) {
  const m = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/);
  return m ? m[1] : null;
}

/** `html` with its policy <meta> (made from its inline scripts) first in <head>. */
export function withPolicy(html, options = {}) {
  const without = html.replace(/\s*<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
  const inline = [...without.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy(inline, options)}" />`;
  // After the charset (which must come within the first 1024 bytes), before any script.
  const charset = without.match(/<meta charset="[^"]*"\s*\/?>/);
  if (charset) return without.replace(charset[0], `${charset[0]}\n    ${meta}`);
  if (!/<head>/.test(without)) throw new Error('csp: index.html has no <head>');
  return without.replace(/<head>/, `<head>\n    ${meta}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? 'dist';
  const file = path.join(dir, 'index.html');
  // scripts/serve.sh sets LEAKSCOPE_DEV_SERVER for `trunk serve` (see `policy`).
  const dev = process.env.LEAKSCOPE_DEV_SERVER === '1';
  fs.writeFileSync(file, withPolicy(fs.readFileSync(file, 'utf8'), { dev }));
  console.log(`csp: policy written into ${file}`);
}
