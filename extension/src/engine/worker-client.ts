// The engine as extension pages use it: requests go to a dedicated worker, so
// the page stays responsive while an image is processed.
import { PortEngine } from './port-engine';
import { EngineError } from './types';

export class WorkerEngine extends PortEngine {
  private readonly worker: Worker;

  /** `giveInput`: see PortEngine (the converter gives its file bytes away; the report page keeps them). */
  constructor({ giveInput = false, url = '/engine-worker.js' } = {}) {
    const worker = new Worker(url);
    super(worker, giveInput);
    this.worker = worker;
    worker.onerror = (event) => this.failAll(new EngineError(event.message || 'the engine stopped', 'internal'));
  }

  terminate(): void {
    this.worker.terminate();
    this.failAll(new EngineError('cancelled', 'internal'));
  }
}
