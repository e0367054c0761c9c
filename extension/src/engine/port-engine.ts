// The engine behind a message endpoint (a Worker, or a MessagePort to one).
// Bytes cross as transferred buffers: no encoding and no copy in transit.
import { CallEngine } from './call-engine';
import { transferables, type EngineCall, type Endpoint, type Request, type Response } from './protocol';
import { errorFrom } from './types';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export class PortEngine extends CallEngine {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The engine's own time for the last answered request, in ms (benchmarks subtract it). */
  lastEngineMs = 0;

  /**
   * `giveInput`: the caller hands its input bytes over (their buffer is transferred and
   * becomes unusable to it), which saves a copy of every image; otherwise a copy is sent.
   */
  constructor(
    private readonly endpoint: Endpoint,
    private readonly giveInput = false,
  ) {
    super();
    endpoint.onmessage = (event: MessageEvent<Response>) => this.settle(event.data);
  }

  /** Rejects everything in flight (the endpoint died or the caller gave up). */
  failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  protected call(call: EngineCall): Promise<unknown> {
    const id = this.nextId++;
    const request: Request = { ...call, id, bytes: this.giveInput ? call.bytes : call.bytes.slice() };
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
      pending.reject(errorFrom(response));
    }
  }
}
