// The engine frame: an invisible extension page that a content script embeds to
// reach the engine. Content scripts cannot run wasm on pages whose CSP forbids
// it (Chromium), and runtime messaging would JSON-encode every byte; a
// MessagePort handed to this frame's worker carries bytes as transferred
// buffers instead. Only a content script holding this session's token (which
// pages cannot obtain) is served.
import type { PortGift } from './protocol';
import { ENGINE_TOKEN_KEY } from '../shared/engine-token';
import { ext } from '../shared/ext';

type Connect = { type: 'traceless:connect'; token: string };

const worker = new Worker('/engine-worker.js');

window.addEventListener('message', async (event: MessageEvent<Connect>) => {
  const port = event.ports[0];
  if (event.source !== window.parent || event.data?.type !== 'traceless:connect' || !port) return;
  const stored = await ext.storage.session.get(ENGINE_TOKEN_KEY);
  const token = stored[ENGINE_TOKEN_KEY];
  if (typeof token !== 'string' || token.length < 16 || event.data.token !== token) {
    port.close();
    return;
  }
  port.postMessage({ type: 'traceless:ready' });
  worker.postMessage({ type: 'traceless:port', port } satisfies PortGift, [port]);
});
