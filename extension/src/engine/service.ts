// The background's side of MessagingEngine: runs engine requests from our own
// content scripts (Firefox only; see messaging-engine.ts).
import { EngineError, type ConvertOptions, type Engine, type ErrorKind, type Policy } from './types';

export type EngineRequest =
  | { type: 'traceless:engine'; op: 'inspect'; bytes: Uint8Array }
  | { type: 'traceless:engine'; op: 'clean'; bytes: Uint8Array; policy?: Policy }
  | { type: 'traceless:engine'; op: 'convert'; bytes: Uint8Array; options?: ConvertOptions };

export type EngineReply = { ok: true; value: unknown } | { ok: false; message: string; kind: ErrorKind };

export function isEngineRequest(value: unknown): value is EngineRequest {
  const v = value as Partial<EngineRequest> | null;
  return (
    typeof v === 'object' && v !== null && v.type === 'traceless:engine' && v.bytes instanceof Uint8Array &&
    (v.op === 'inspect' || v.op === 'clean' || v.op === 'convert')
  );
}

export async function serve(engine: Engine, request: EngineRequest): Promise<EngineReply> {
  try {
    switch (request.op) {
      case 'inspect':
        return { ok: true, value: await engine.inspect(request.bytes) };
      case 'clean':
        return { ok: true, value: await engine.clean(request.bytes, request.policy) };
      case 'convert':
        return { ok: true, value: await engine.convert(request.bytes, request.options) };
    }
  } catch (e) {
    const kind = e instanceof EngineError ? e.kind : 'internal';
    return { ok: false, message: e instanceof Error ? e.message : String(e), kind };
  }
}
