// leakscope's service worker: after one visit the page opens and analyses files with the
// network off. On install it caches the app shell (index.html and the hashed app files it
// names), the workers, the web app manifest and the demo profiles; then every request of the
// page and its workers goes to the network first (so the next online visit picks up a new
// version, and the cache follows it) and to the cache when the network is unreachable.
// Dropped files never pass here: they are read from the disk, never fetched.
const CACHE = 'leakscope-v1';
const FIXED = [
  './', 'index.html', 'worker.js', 'worker_bg.wasm', 'worker_loader.js', 'file-reader.js',
  'manifest.webmanifest', 'icon.svg', 'demo/manifest.json',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const html = await (await fetch('index.html', { cache: 'no-store' })).text();
    // trunk's hashed files: the stylesheet, the app's JS and wasm (href, src and the loader's import).
    const named = [...html.matchAll(/["']\.\/([\w.-]+\.(?:js|wasm|css))["']/g)].map((m) => m[1]);
    const demo = (await (await fetch('demo/manifest.json', { cache: 'no-store' })).json()).map((d) => `demo/${d.file}`);
    await cache.addAll([...new Set([...FIXED, ...named, ...demo])]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      if (response.ok) {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((c) => c.put(request, copy)));
      }
      return response;
    } catch (offline) {
      const cached = await caches.match(request, { ignoreSearch: true });
      if (cached) return cached;
      throw offline;
    }
  })());
});
