// The service worker (Workbox 7): the app shell precached at build time (its manifest injected by web/build.mjs), the
// catalog and the clerk's own form data (values, form, approval state, periods) from the network when it answers and
// from the last answer when it does not, so that the form opens and can be filled with no network. Submissions are
// never cached: an offline submit waits in IndexedDB in the page (web/src/offline.js) and is sent once online.
import { clientsClaim } from 'workbox-core';
import { precacheAndRoute, cleanupOutdatedCaches, createHandlerBoundToURL } from 'workbox-precaching';
import { registerRoute, NavigationRoute } from 'workbox-routing';
import { NetworkFirst, CacheFirst } from 'workbox-strategies';

self.skipWaiting();
clientsClaim();
cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);

// Every page of the app is index.html (the routes are hash routes); redirect.html is MSAL's own page.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/\/redirect\.html/, /^\/api\//, /^\/dev-auth\//] }));

// Chunks loaded on demand (charts, MSAL) have content-hashed names: once fetched, they never change.
registerRoute(({ url, request }) => url.origin === self.location.origin && request.destination === 'script' && /\/chunk-[A-Z0-9]+\.js$/.test(url.pathname),
  new CacheFirst({ cacheName: 'rp-chunks' }));

const DATA_CACHE = 'rp-data';
const readable = /^\/api\/(catalog$|orgs\/\d{12}\/(values|form|approval|periods)(\/|$))/;
registerRoute(({ url, request }) => url.origin === self.location.origin && request.method === 'GET' && readable.test(url.pathname)
  // The workbook download asks for */*; only the JSON answers are kept.
  && (request.headers.get('Accept') || '').includes('application/json'),
new NetworkFirst({ cacheName: DATA_CACHE, networkTimeoutSeconds: 6 }));

registerRoute(({ url }) => url.origin === self.location.origin && url.pathname === '/config.json', new NetworkFirst({ cacheName: 'rp-config', networkTimeoutSeconds: 4 }));
