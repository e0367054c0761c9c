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

/** Runs a wasm call once the module is ready, with its errors as EngineErrors. */
async function run<T>(call: () => unknown): Promise<T> {
  await load();
  try {
    return call() as T;
  } catch (e) {
    rethrow(e);
  }
}

export class LocalEngine implements Engine {
  inspect(bytes: Uint8Array): Promise<InspectReport> {
    return run(() => wasm.inspect(bytes));
  }

  clean(bytes: Uint8Array, policy?: Policy): Promise<Output<CleanReport>> {
    return run(() => wasm.clean(bytes, policy));
  }

  convert(bytes: Uint8Array, options?: ConvertOptions): Promise<Output<ConvertReport>> {
    return run(() => wasm.convert(bytes, options));
  }
}
