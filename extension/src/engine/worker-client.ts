// The engine as extension pages use it: requests go to a dedicated worker, so
// the page stays responsive while an image is processed.
import { PortEngine } from './port-engine';
import type { AnyCall } from './protocol';
import { EngineError } from './types';

/**
 * What a worker compiles before its first request: the image module; the converter module,
 * which it then uses for everything (it is the image module and more: one module compiled,
 * not two); or nothing, for a worker whose first request picks its module (a HEIC's
 * thumbnail needs the converter module, an AVIF's the AVIF module).
 */
export type Preload = 'image' | 'converter' | 'none';

export class WorkerEngine extends PortEngine {
  private worker: Worker;
  private readonly url: string;
  private ended = false;

  /**
   * `giveInput`: see PortEngine (the converter gives its file bytes away; the report page keeps them).
   * `preload`: the module the worker compiles at once, while its first request is on the way
   * (see Preload).
   */
  constructor({ giveInput = false, preload = 'image' as Preload } = {}) {
    const url = `/engine-worker.js?preload=${preload}`;
    const worker = new Worker(url);
    super(worker, giveInput);
    this.worker = worker;
    this.url = url;
    this.watch(worker);
  }

  private watch(worker: Worker): void {
    worker.onerror = (event) => this.failAll(new EngineError(event.message || 'the engine stopped', 'internal'));
  }

  /** Its engine trapped: the next request goes to a fresh worker with a fresh instance. */
  protected override replacement(): Worker {
    this.worker.terminate();
    this.worker = new Worker(this.url);
    this.watch(this.worker);
    return this.worker;
  }

  /** A request after `terminate` fails at once: the ended worker would never answer it. */
  protected override call(call: AnyCall): Promise<unknown> {
    if (this.ended) return Promise.reject(cancelled());
    return super.call(call);
  }

  terminate(): void {
    this.ended = true;
    this.worker.terminate();
    this.failAll(cancelled());
  }
}

/** What requests to a terminated worker fail with: nothing went wrong, the work was dropped. */
class Cancelled extends EngineError {
  constructor() {
    super('cancelled', 'internal');
  }
}

export function cancelled(): EngineError {
  return new Cancelled();
}

/** Whether `e` says the work was dropped (its worker terminated), rather than failed. */
export function isCancelled(e: unknown): boolean {
  return e instanceof Cancelled;
}
