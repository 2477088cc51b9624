/* Cadence service worker: caches the app shell and static assets, shows an offline page.
 *
 * Never cached: anything under /api/ (REST, chat streams, exports, MCP), Reflex's /_event
 * websocket and /_upload, /ping and /_health, non-GET requests, requests carrying an
 * Authorization header, and other origins. Pages are network-first (they hold no user data: it
 * arrives over the websocket after load); hashed build assets (/assets/*) are cache-first;
 * other static files (pwa.js, pwa.css, icons, manifest) are served from the cache and refreshed
 * in the background, so an update reaches the next load.
 *
 * The live workout logger (/workouts/log, with logger.js, strength.js and logger.css) is
 * precached and, with no network, served from the cache (any query string), so a workout can be
 * logged, reloaded and finished offline. Other pages fall back to the offline page: they need the server's websocket.
 * The logger keeps its own data (the user's catalogue, routines, previous values, the live
 * workout and the outbox) in localStorage, never in this cache.
 */
const VERSION = "cadence-v3";
const SHELL_CACHE = `${VERSION}-shell`;
const OFFLINE_URL = "/offline.html";
const LOGGER_URL = "/workouts/log";
const PRECACHE = [
  OFFLINE_URL,
  LOGGER_URL,
  "/logger.js",
  "/strength.js",
  "/logger.css",
  "/pwa.js",
  "/manifest.webmanifest",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/maskable-512.png",
  "/icons/apple-touch-icon.png",
];
const NEVER_CACHE = [/^\/api\//, /^\/_event/, /^\/_upload/, /^\/ping/, /^\/_health/];
const HASHED_ASSET = /^\/assets\//;
const STATIC_FILE = /\.(js|css|woff2?|png|svg|ico|webmanifest)$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => !k.startsWith(VERSION)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function cacheable(request, url) {
  if (request.method !== "GET" || url.origin !== self.location.origin) return false;
  if (request.headers.has("Authorization")) return false;
  return !NEVER_CACHE.some((pattern) => pattern.test(url.pathname));
}

async function networkFirstPage(request) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") cache.put(request, response.clone());
    return response;
  } catch (error) {
    const offlineCopy = new URL(request.url).pathname.replace(/\/$/, "") === LOGGER_URL && (await cache.match(LOGGER_URL));
    return offlineCopy || (await cache.match(OFFLINE_URL)) || Response.error();
  }
}

async function cacheFirstAsset(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") cache.put(request, response.clone());
  return response;
}

async function staleWhileRevalidate(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request);
  const refresh = fetch(request)
    .then((response) => {
      if (response.ok && response.type === "basic") cache.put(request, response.clone());
      return response;
    })
    .catch(() => cached || Response.error());
  return cached || refresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (!cacheable(request, url)) return; // straight to the network, never stored
  if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(request));
  } else if (HASHED_ASSET.test(url.pathname)) {
    event.respondWith(cacheFirstAsset(request));
  } else if (STATIC_FILE.test(url.pathname)) {
    event.respondWith(staleWhileRevalidate(request));
  }
});
