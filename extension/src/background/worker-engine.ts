// Firefox: the background's engine for long work in a dedicated worker, started when a job
// comes and ended a few seconds after the last. Firefox's event page may start workers
// (Chromium's service worker may not: offscreen-engine.ts does this job there). Run on the
// event page's own thread, a minute's conversion blocked it: its timers (the working notice,
// the keep-awake calls) waited for the engine, and "Save as AVIF" on a 48 MP photo converted
// and then saved nothing, and said nothing (measured session 31: nothing in 300 s; a 12 MP
// photo saved after 8 s). Which step hung was not found; Firefox suspending the idle-looking
// page is the likeliest.
import { CallEngine } from '../engine/call-engine';
import { perform, type EngineCall } from '../engine/protocol';
import { WorkerEngine } from '../engine/worker-client';

/** Seconds' grace after the last job before the worker, and the memory it holds, go. */
const IDLE_MS = 5000;

export class OnDemandWorkerEngine extends CallEngine {
  /** `giveInput`: the caller never uses its input bytes again, so they are handed over, not copied (see PortEngine). */
  constructor(private readonly giveInput = false) {
    super();
  }

  private worker: WorkerEngine | undefined;
  private jobs = 0;
  private idle: ReturnType<typeof setTimeout> | undefined;

  protected async call(call: EngineCall): Promise<unknown> {
    clearTimeout(this.idle);
    // No module compiled ahead: the request is already here, and picks the one it needs.
    this.worker ??= new WorkerEngine({ giveInput: this.giveInput, preload: 'none' });
    const worker = this.worker;
    this.jobs++;
    try {
      return await perform(worker, call);
    } finally {
      if (--this.jobs === 0) {
        this.idle = setTimeout(() => {
          if (this.jobs > 0 || this.worker !== worker) return;
          this.worker = undefined;
          worker.terminate();
        }, IDLE_MS);
      }
    }
  }
}
