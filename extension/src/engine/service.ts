// The background's side of MessagingEngine: runs engine requests from our own
// content scripts (see messaging-engine.ts).
import { perform, type EngineCall } from './protocol';
import { EngineError, type Engine, type ErrorKind } from './types';

export type EngineRequest = EngineCall & { type: 'traceless:engine' };

/** `ms`: the engine's own time, so callers (the transport benchmark) can tell transport from work. */
export type EngineReply = { ok: true; value: unknown; ms: number } | { ok: false; message: string; kind: ErrorKind };

export function isEngineRequest(value: unknown): value is EngineRequest {
  const v = value as Partial<EngineRequest> | null;
  return (
    typeof v === 'object' && v !== null && v.type === 'traceless:engine' && v.bytes instanceof Uint8Array &&
    (v.op === 'inspect' || v.op === 'clean' || v.op === 'convert')
  );
}

export async function serve(engine: Engine, request: EngineRequest): Promise<EngineReply> {
  const started = performance.now();
  try {
    return { ok: true, value: await perform(engine, request), ms: performance.now() - started };
  } catch (e) {
    const kind = e instanceof EngineError ? e.kind : 'internal';
    return { ok: false, message: e instanceof Error ? e.message : String(e), kind };
  }
}
