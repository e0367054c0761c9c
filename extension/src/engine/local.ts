// The engine in the current thread. Used inside the engine worker and by the
// background (a service worker cannot start workers in Chromium; the background
// does one user-requested image at a time, so blocking it is harmless).
import init, * as wasm from 'traceless-wasm';
import {
  EngineError,
  type CleanReport,
  type ConvertOptions,
  type ConvertReport,
  type Engine,
  type ErrorKind,
  type InspectReport,
  type Output,
  type Policy,
} from './types';

/** The module's place in the built extension (see extension/build.mjs). */
export const WASM_PATH = '/engine/traceless.wasm';

let ready: Promise<unknown> | undefined;

/** Compiles and instantiates the module now rather than on the first request. */
export function preload(): Promise<unknown> {
  return load();
}

function load(): Promise<unknown> {
  // Resolved against our own origin: workers have no `chrome.runtime` to ask.
  if (!ready) ready = init({ module_or_path: fetch(new URL(WASM_PATH, globalThis.location.href)) });
  return ready;
}

function rethrow(e: unknown): never {
  if (e instanceof Error) {
    const kind = (e as { kind?: ErrorKind }).kind ?? 'internal';
    throw new EngineError(e.message, kind);
  }
  throw new EngineError(String(e), 'internal');
}

export class LocalEngine implements Engine {
  async inspect(bytes: Uint8Array): Promise<InspectReport> {
    await load();
    try {
      return wasm.inspect(bytes) as InspectReport;
    } catch (e) {
      rethrow(e);
    }
  }

  async clean(bytes: Uint8Array, policy?: Policy): Promise<Output<CleanReport>> {
    await load();
    try {
      return wasm.clean(bytes, policy) as Output<CleanReport>;
    } catch (e) {
      rethrow(e);
    }
  }

  async convert(bytes: Uint8Array, options?: ConvertOptions): Promise<Output<ConvertReport>> {
    await load();
    try {
      return wasm.convert(bytes, options) as Output<ConvertReport>;
    } catch (e) {
      rethrow(e);
    }
  }
}
