// The service worker: the app shell precached (the app opens offline), push notifications shown and opened
// on the right screen, and Background Sync sending the outbox while the page is closed.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { createPartialResponse } from 'workbox-range-requests';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { kvGet } from './db.js';
import { sync } from './outbox.js';
import { MEDIA_CACHE } from './paths.js';

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// Every page of the app is the same shell; the server's own pages (API, admin, docs) are never cached.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/api\//, /^\/admin/, /^\/static\//, /^\/media\//, /^\/oidc\//, /^\/sso\//], // single sign-on runs on the server
  }),
);

// The clinic's demonstrations (/media/…, named by their content hash, so a name never changes its bytes): kept
// after the first view, for offline use. A <video> asks for byte ranges; the cache keeps the whole file,
// fetched once without a Range header, and answers every range from it (Workbox's createPartialResponse).
const fetching = new Map(); // url → the one download of a file under way

async function wholeFile(url) {
  const cache = await caches.open(MEDIA_CACHE);
  const kept = await cache.match(url);
  if (kept) return kept;
  if (!fetching.has(url)) {
    const download = fetch(url)
      .then(async (response) => {
        if (response.status === 200) await cache.put(url, response.clone());
        return response;
      })
      .finally(() => fetching.delete(url));
    fetching.set(url, download);
  }
  const response = await fetching.get(url);
  return (await cache.match(url)) || response.clone();
}

registerRoute(
  ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/media/'),
  async ({ request }) => {
    const whole = await wholeFile(request.url);
    return whole.status === 200 && request.headers.has('range') ? createPartialResponse(request, whole) : whole;
  },
);

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data?.text() };
  }
  const title = data.title || 'Rehab Tracker';
  event.waitUntil(
    (async () => {
      // An open app hears of it at once (a new message shows without waiting for the next poll).
      for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ type: 'push', url: safeUrl(data.url) });
      await self.registration.showNotification(title, {
        body: data.body || '',
        icon: '/icons/icon-192.png',
        badge: '/icons/icon-192.png',
        tag: data.notification ? `n${data.notification}` : undefined,
        data: { url: safeUrl(data.url) },
      });
    })(),
  );
});

function safeUrl(url) {
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? url : '/today';
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = safeUrl(event.notification.data?.url);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const client of windows) {
        if ('focus' in client) {
          await client.focus();
          return client.navigate ? client.navigate(url) : undefined;
        }
      }
      return self.clients.openWindow(url);
    })(),
  );
});

// Background Sync: send with the access token the page left; a 401 leaves the entries for the page, which
// can refresh the token (one refresher at a time, as refresh tokens rotate).
async function sendWithStoredToken(method, path, body) {
  const session = await kvGet('session');
  const response = await fetch(path, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${session?.access}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, data: text ? JSON.parse(text) : null };
}

self.addEventListener('sync', (event) => {
  if (event.tag !== 'outbox') return;
  event.waitUntil(
    (async () => {
      const session = await kvGet('session');
      if (!session?.me) return;
      const run = () => sync(session.me.id, sendWithStoredToken).catch(() => null);
      await (self.navigator?.locks ? self.navigator.locks.request('rehab-outbox', run) : run());
      for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ type: 'outbox-synced' });
    })(),
  );
});
