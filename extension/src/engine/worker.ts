// Engine worker: keeps the engine's work off the thread of the page that asked.
import { LocalEngine } from './local';
import { transferables, type Request, type Response } from './protocol';
import { EngineError } from './types';

const engine = new LocalEngine();
// The DOM typings describe windows; a worker's scope differs only in postMessage's signature.
const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  postMessage(message: Response, transfer: Transferable[]): void;
};

async function run(request: Request): Promise<unknown> {
  switch (request.op) {
    case 'inspect':
      return engine.inspect(request.bytes);
    case 'clean':
      return engine.clean(request.bytes, request.policy);
    case 'convert':
      return engine.convert(request.bytes, request.options);
  }
}

scope.onmessage = async (event: MessageEvent<Request>) => {
  const { id } = event.data;
  let response: Response;
  try {
    const value = await run(event.data);
    response = { id, ok: true, value };
  } catch (e) {
    const kind = e instanceof EngineError ? e.kind : 'internal';
    response = { id, ok: false, message: e instanceof Error ? e.message : String(e), kind };
  }
  scope.postMessage(response, response.ok ? transferables(response.value) : []);
};
