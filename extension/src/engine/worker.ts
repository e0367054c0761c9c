// Engine worker: keeps the engine's work off the thread of the page that asked.
// It serves its creator, and any port handed to it (a content script's channel,
// see frame.ts), with the same protocol.
import { LocalEngine, preload } from './local';
import { perform, transferables, type Endpoint, type PortGift, type Request, type Response } from './protocol';
import { EngineError } from './types';

const engine = new LocalEngine();
// A worker exists to be used: compile the module while its first image is still being chosen.
void preload().catch(() => undefined);

async function answer(endpoint: Endpoint, request: Request): Promise<void> {
  const { id } = request;
  let response: Response;
  const started = performance.now();
  try {
    const value = await perform(engine, request);
    response = { id, ok: true, value, ms: performance.now() - started };
  } catch (e) {
    const kind = e instanceof EngineError ? e.kind : 'internal';
    response = { id, ok: false, message: e instanceof Error ? e.message : String(e), kind };
  }
  endpoint.postMessage(response, response.ok ? transferables(response.value) : []);
}

function serve(endpoint: Endpoint): void {
  // One request at a time per endpoint would serialise callers anyway: the engine is single-threaded.
  endpoint.onmessage = (event: MessageEvent<Request | PortGift>) => {
    const data = event.data;
    if ('type' in data && data.type === 'traceless:port') serve(data.port as unknown as Endpoint);
    else if ('op' in data) void answer(endpoint, data);
  };
}

serve(globalThis as unknown as Endpoint);
