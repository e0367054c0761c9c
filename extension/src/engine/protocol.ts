// Messages between an engine client and an engine worker. Bytes travel as
// transferred ArrayBuffers (structured clone, no copy, no encoding).
import type { ConvertOptions, ErrorKind, Policy } from './types';

export type Request =
  | { id: number; op: 'inspect'; bytes: Uint8Array }
  | { id: number; op: 'clean'; bytes: Uint8Array; policy?: Policy }
  | { id: number; op: 'convert'; bytes: Uint8Array; options?: ConvertOptions };

/** `ms`: the engine's own time, so callers can tell transport from work. */
export type Response =
  | { id: number; ok: true; value: unknown; ms: number }
  | { id: number; ok: false; message: string; kind: ErrorKind };

/** Hands the worker a port to serve (a content script's channel, see frame.ts). */
export type PortGift = { type: 'traceless:port'; port: MessagePort };

/** Anything that carries requests and responses: a Worker or a MessagePort. */
export interface Endpoint {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

/** The buffers of `value` worth transferring rather than copying. */
export function transferables(value: unknown): Transferable[] {
  if (value instanceof Uint8Array) return [value.buffer as ArrayBuffer];
  const data = (value as { data?: unknown } | null)?.data;
  return data instanceof Uint8Array ? [data.buffer as ArrayBuffer] : [];
}
