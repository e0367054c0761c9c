// The engine behind a message endpoint (a Worker, or a MessagePort to one).
// Bytes cross as transferred buffers: no encoding and no copy in transit.
import { transferables, type Endpoint, type Request, type Response } from './protocol';
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

export class PortEngine implements Engine {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The engine's own time for the last answered request, in ms (benchmarks subtract it). */
  lastEngineMs = 0;

  constructor(private readonly endpoint: Endpoint) {
    endpoint.onmessage = (event: MessageEvent<Response>) => this.settle(event.data);
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

  /** Rejects everything in flight (the endpoint died or the caller gave up). */
  failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  /** Sends a copy of the bytes: the caller keeps its own. */
  private call(body: Body): Promise<unknown> {
    const id = this.nextId++;
    const request = { ...body, id, bytes: body.bytes.slice() } as Request;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.endpoint.postMessage(request, transferables(request.bytes));
    });
  }

  private settle(response: Response): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    if (response.ok) {
      this.lastEngineMs = response.ms;
      pending.resolve(response.value);
    } else {
      pending.reject(new EngineError(response.message, response.kind));
    }
  }
}
