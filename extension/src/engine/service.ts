// The background's side of MessagingEngine: runs engine requests from our own
// content scripts (see messaging-engine.ts).
//
// Bytes cross as Blobs both ways. Runtime messaging clones its message; a Blob is
// cloned as a handle to the same data, so only the reading side copies it:
// measured in Chromium 156, a 5 MB round trip took 28 ms as Blobs against 111 ms
// as a Uint8Array (20 MB: 98 against 400 ms), and Blobs are not bound by
// Chromium's 64 MiB message limit.
import { perform, type EngineCall } from './protocol';
import { EngineError, type Engine, type ErrorKind } from './types';

/** An engine call as sent: its input as a Blob instead of bytes (per kind of call). */
type WithoutBytes<T> = T extends unknown ? Omit<T, 'bytes'> : never;
export type EngineRequest = WithoutBytes<EngineCall> & { type: 'traceless:engine'; input: Blob };

/** `ms`: the engine's own time, so callers (the transport benchmark) can tell transport from work. */
export type EngineReply = { ok: true; value: unknown; ms: number } | { ok: false; message: string; kind: ErrorKind };

export function isEngineRequest(value: unknown): value is EngineRequest {
  const v = value as Partial<EngineRequest> | null;
  return (
    typeof v === 'object' && v !== null && v.type === 'traceless:engine' && v.input instanceof Blob &&
    (v.op === 'inspect' || v.op === 'clean' || v.op === 'convert')
  );
}

/** A result's output bytes as a Blob for the way back (reports have none). */
function outbound(value: unknown): unknown {
  const data = (value as { data?: unknown } | null)?.data;
  return data instanceof Uint8Array ? { ...(value as object), data: new Blob([data as BlobPart]) } : value;
}

export async function serve(engine: Engine, request: EngineRequest): Promise<EngineReply> {
  try {
    const bytes = new Uint8Array(await request.input.arrayBuffer());
    const started = performance.now();
    const value = await perform(engine, { ...request, bytes } as EngineCall);
    return { ok: true, value: outbound(value), ms: performance.now() - started };
  } catch (e) {
    const kind = e instanceof EngineError ? e.kind : 'internal';
    return { ok: false, message: e instanceof Error ? e.message : String(e), kind };
  }
}
