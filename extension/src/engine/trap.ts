// A wasm instance that trapped is never called again. A trap (a Rust panic, which
// aborts in the shipped modules; libaom's error path, whose longjmp traps; memory
// running out) stops the instance half-way through a call: its allocator, its stack
// pointer and its own state may be left half-updated, so a later call could fail
// strangely or, worse, seem to work. wasm-bindgen's glue instantiates a module once
// per thread, so the way back is a fresh thread: an engine worker that reports
// `engine_stopped` is replaced (WorkerEngine); the background's instance comes back
// when the browser next starts the background.
import { EngineError } from './types';

/** The error for a call that trapped, and for every later call into that instance. */
export function engineStopped(detail: string): EngineError {
  return new EngineError(`the engine stopped (${detail})`, 'internal', { code: 'engine_stopped', args: [] });
}

export function isEngineStopped(e: unknown): boolean {
  return e instanceof EngineError && e.reason?.code === 'engine_stopped';
}

/** One instance's calls, cut off at its first trap. */
export class TrapGuard {
  private trap: string | undefined;

  get trapped(): boolean {
    return this.trap !== undefined;
  }

  call<T>(fn: () => T): T {
    if (this.trap !== undefined) throw engineStopped(`after an earlier fault: ${this.trap}`);
    try {
      return fn();
    } catch (e) {
      if (isTrap(e)) {
        this.trap = e.message;
        throw engineStopped(e.message);
      }
      throw e;
    }
  }
}

/**
 * A fault that stopped the instance mid-call: a wasm trap, or the host's stack running
 * out (Chromium: RangeError; Firefox: InternalError), which unwinds the wasm frames
 * without running their exits. The engine's own errors are ordinary Errors that the
 * Rust code returned, after which the instance is whole.
 */
function isTrap(e: unknown): e is Error {
  return e instanceof WebAssembly.RuntimeError || e instanceof RangeError || (e instanceof Error && e.name === 'InternalError');
}
