// A tiny static file server for dist/ on 127.0.0.1, for the browser tests and the benchmark.
// Usage: node tests/e2e/serve.mjs [dir] [port]  (prints "listening on http://127.0.0.1:PORT/").
// It serves files only: no directory listings, no paths outside the root. Every response
// carries the Content-Security-Policy of the root's index.html (scripts/csp.mjs) as a header,
// as a host that sets headers should, so the workers run under it too.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { policyOf } from '../../scripts/csp.mjs';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.gz': 'application/gzip',
};

/** Starts serving `root` on 127.0.0.1:`port` (0 = any free port); resolves to the server. */
export function serve(root, port = 0) {
  const base = path.resolve(root);
  let csp = null;
  try {
    csp = policyOf(fs.readFileSync(path.join(base, 'index.html'), 'utf8'));
  } catch {
    // No index.html (a folder of files for the benchmark): no policy.
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let file = path.normalize(path.join(base, decodeURIComponent(url.pathname)));
    if (!file.startsWith(base)) {
      res.writeHead(403).end();
      return;
    }
    if (file.endsWith(path.sep)) file = path.join(file, 'index.html');
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      // .pb.gz files are served as the bytes they are: no Content-Encoding, so the page
      // receives the gzip stream and decodes it itself, as it does for dropped files.
      res.writeHead(200, {
        'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
        'content-length': st.size,
        'cache-control': 'no-store',
        ...(csp ? { 'content-security-policy': csp } : {}),
      });
      fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await serve(process.argv[2] ?? 'dist', Number(process.argv[3] ?? 0));
  console.log(`listening on http://127.0.0.1:${server.address().port}/`);
}
