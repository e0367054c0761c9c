// The engine as extension pages use it: requests go to a dedicated worker, so
// the page stays responsive while an image is processed.
import { transferables, type Request, type Response } from './protocol';
import {
  EngineError,
  type CleanReport,
  type ConvertOptions,
  type ConvertReport,
  type Engine,
  type InspectReport,
  type Output,
  type Policy,
} from './types';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Body = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

export class WorkerEngine implements Engine {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(url = '/engine-worker.js') {
    this.worker = new Worker(url);
    this.worker.onmessage = (event: MessageEvent<Response>) => this.settle(event.data);
    this.worker.onerror = (event) => this.failAll(new EngineError(event.message || 'the engine stopped', 'internal'));
  }

  inspect(bytes: Uint8Array): Promise<InspectReport> {
    return this.call({ op: 'inspect', bytes }) as Promise<InspectReport>;
  }

  clean(bytes: Uint8Array, policy?: Policy): Promise<Output<CleanReport>> {
    return this.call({ op: 'clean', bytes, policy }) as Promise<Output<CleanReport>>;
  }

  convert(bytes: Uint8Array, options?: ConvertOptions): Promise<Output<ConvertReport>> {
    return this.call({ op: 'convert', bytes, options }) as Promise<Output<ConvertReport>>;
  }

  terminate(): void {
    this.worker.terminate();
    this.failAll(new EngineError('cancelled', 'internal'));
  }

  /** Sends a copy of the bytes: the caller keeps its own. */
  private call(body: Body): Promise<unknown> {
    const id = this.nextId++;
    const request = { ...body, id, bytes: body.bytes.slice() } as Request;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(request, transferables(request.bytes));
    });
  }

  private settle(response: Response): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    if (response.ok) pending.resolve(response.value);
    else pending.reject(new EngineError(response.message, response.kind));
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
