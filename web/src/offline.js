// Offline: the service worker (web/src/sw.js, registered here with workbox-window) keeps the app shell, the catalog and
// the clerk's own form data; a form submitted without a network waits in IndexedDB (idb) under its Idempotency-Key
// and is sent when the network returns — a resend of the same key is a replay on the server, so it is stored once.
import { Workbox } from 'workbox-window';
import { openDB } from 'idb';

const OUTBOX = 'outbox';
const database = () => openDB('rp-offline', 1, { upgrade(db) { db.createObjectStore(OUTBOX, { keyPath: 'key' }); } });

/** Registers the service worker where the browser has one (not on plain http other than localhost). */
export function startOffline() {
  if (!('serviceWorker' in navigator)) return;
  new Workbox('/sw.js').register().catch(err => console.warn('service worker not registered', err));
}

/** A submission that could not reach the server: { key, org, period, body, contentType, ifMatch, channel, queuedAt }. */
export async function enqueue(item) {
  const db = await database();
  await db.put(OUTBOX, { ...item, queuedAt: new Date().toISOString() });
}

export async function dequeue(key) {
  const db = await database();
  await db.delete(OUTBOX, key);
}

/** The submissions waiting for the network for an org and period, oldest first. */
export async function waiting(org, period) {
  try {
    const db = await database();
    return (await db.getAll(OUTBOX)).filter(i => i.org === org && i.period === period).sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  } catch {
    return [];
  }
}

/** Sign-out: nothing of this user's data stays on the device. */
export async function clearOfflineData() {
  try {
    await caches.delete('rp-data');
    const db = await database();
    await db.clear(OUTBOX);
  } catch { /* nothing stored */ }
}

// One 'online' listener for the page; the clerk's page that is drawn now says what to send.
let sendWaiting = null;
export function onBackOnline(send) { sendWaiting = send; }
window.addEventListener('online', () => { if (sendWaiting) sendWaiting(); });
