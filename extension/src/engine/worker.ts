// Engine worker: keeps the engine's work off the thread of the extension page
// that asked (the converter, the report page).
import { LocalEngine, preload, preloadConverter } from './local';
import { performWithPixels, transferables, type Endpoint, type Request, type Response } from './protocol';
import { errorReply } from './types';

const engine = new LocalEngine();
// A worker exists to be used: compile the module while its first image is still on its way
// (worker-client.ts: Preload).
const wanted = new URL(globalThis.location.href).searchParams.get('preload');
if (wanted === 'converter') void preloadConverter().catch(() => undefined);
else if (wanted !== 'none') void preload().catch(() => undefined);

async function answer(endpoint: Endpoint, request: Request): Promise<void> {
  const { id } = request;
  let response: Response;
  const started = performance.now();
  try {
    const value = await performWithPixels(engine, request);
    response = { id, ok: true, value, ms: performance.now() - started };
  } catch (e) {
    response = { id, ok: false, ...errorReply(e) };
  }
  endpoint.postMessage(response, response.ok ? transferables(response.value) : []);
}

const self_ = globalThis as unknown as Endpoint;
self_.onmessage = (event: MessageEvent<Request>) => {
  if (event.data && 'op' in event.data) void answer(self_, event.data);
};
