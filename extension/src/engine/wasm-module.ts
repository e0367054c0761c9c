// One wasm module of the extension: its instantiation, started on first use and
// shared after that, and its calls, cut off at the instance's first trap.
import { TrapGuard } from './trap';

/** wasm-bindgen's `init` of a module built with `--target web`. */
export type Init = (options: { module_or_path: Promise<Response> }) => Promise<unknown>;

export class WasmModule {
  private ready: Promise<unknown> | undefined;
  readonly guard = new TrapGuard();

  constructor(
    private readonly path: string,
    private readonly init: Init,
  ) {}

  /** Whether it was asked for (it may still be loading). */
  get started(): boolean {
    return this.ready !== undefined;
  }

  load(): Promise<unknown> {
    // Resolved against our own origin: workers have no `chrome.runtime` to ask.
    // A load that failed (a compile that ran out of memory beside a large batch) is
    // tried again by the next call, not remembered until the extension restarts.
    return (this.ready ??= this.init({ module_or_path: fetch(new URL(this.path, globalThis.location.href)) }).catch(
      (e: unknown) => {
        this.ready = undefined;
        throw e;
      },
    ));
  }
}
