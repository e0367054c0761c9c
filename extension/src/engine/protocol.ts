// Messages between an engine client and an engine worker. Bytes travel as
// transferred ArrayBuffers (structured clone, no copy, no encoding).
import type { ConvertOptions, Decoded, Engine, ErrorReply, PartsJob, PixelEngine, Policy } from './types';

/** One engine operation, whatever carries it (a worker port, runtime messaging). */
export type EngineCall =
  | { op: 'inspect'; bytes: Uint8Array }
  | { op: 'clean'; bytes: Uint8Array; policy?: Policy }
  | { op: 'convert'; bytes: Uint8Array; options?: ConvertOptions };

/** The calls with decoded pixels: only between an extension page and its workers. */
export type PixelCall =
  | { op: 'convert'; bytes: Uint8Array; options?: ConvertOptions; decoded?: Decoded }
  | { op: 'decodeUpright'; bytes: Uint8Array }
  | { op: 'decodeUprightBand'; bytes: Uint8Array; index: number; count: number }
  /** `strips`: the bands' rows; `screens`: their rows for the picture. */
  | { op: 'joinUprightBands'; bytes: Uint8Array; strips: Uint8Array[]; screens: Uint8Array[] }
  | { op: 'screenPicture'; bytes: Uint8Array; decoded: Decoded }
  | { op: 'listPicture'; bytes: Uint8Array; size: number; decodePhoto: boolean }
  | { op: 'convertInParts'; bytes: Uint8Array; options?: ConvertOptions; decoded?: Decoded; parts: number }
  /** `bytes`: the strip's RGB rows. */
  | { op: 'encodePart'; bytes: Uint8Array; height: number; job: PartsJob }
  | { op: 'writeScans'; strips: Uint8Array[]; job: PartsJob; half: number }
  /** `strips`: the halves of the file's scans. */
  | { op: 'spliceScans'; strips: Uint8Array[]; jobs: PartsJob[] }
  /** `strips`: the strip's rows of pixels (one array). */
  | { op: 'encodeDecodedStrip'; bytes: Uint8Array; strips: [Uint8Array]; width: number; heights: number[]; index: number; options?: ConvertOptions };

export type AnyCall = EngineCall | PixelCall;

export type Request = AnyCall & { id: number };

/** Runs a call on an engine: the one place an operation name meets the engine's methods. */
export function perform(engine: Engine, call: EngineCall): Promise<unknown> {
  switch (call.op) {
    case 'inspect':
      return engine.inspect(call.bytes);
    case 'clean':
      return engine.clean(call.bytes, call.policy);
    case 'convert':
      return engine.convert(call.bytes, call.options);
  }
}

/** `perform` with the pixel calls too: for an extension page's own workers only. */
export function performWithPixels(engine: PixelEngine, call: AnyCall): Promise<unknown> {
  if (call.op === 'decodeUpright') return engine.decodeUpright(call.bytes);
  if (call.op === 'decodeUprightBand') return engine.decodeUprightBand(call.bytes, call.index, call.count);
  if (call.op === 'joinUprightBands') return engine.joinUprightBands(call.bytes, call.strips, call.screens);
  if (call.op === 'screenPicture') return engine.screenPicture(call.bytes, call.decoded);
  if (call.op === 'listPicture') return engine.listPicture(call.bytes, call.size, call.decodePhoto);
  if (call.op === 'convertInParts') return engine.convertInParts(call.bytes, call.options, call.decoded, call.parts);
  if (call.op === 'encodePart') return engine.encodePart(call.bytes, call.height, call.job);
  if (call.op === 'writeScans') return engine.writeScans(call.strips, call.job, call.half);
  if (call.op === 'spliceScans') return engine.spliceScans(call.strips, call.jobs);
  if (call.op === 'encodeDecodedStrip') return engine.encodeDecodedStrip(call.bytes, call.strips[0], call.width, call.heights, call.index, call.options);
  if (call.op === 'convert' && 'decoded' in call && call.decoded) return engine.convert(call.bytes, call.options, call.decoded);
  return perform(engine, call);
}

/** `ms`: the engine's own time, so callers can tell transport from work. */
export type Response =
  | { id: number; ok: true; value: unknown; ms: number }
  | ({ id: number; ok: false } & ErrorReply);

/** Anything that carries requests and responses: a Worker or a MessagePort. */
export interface Endpoint {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

/** The buffers of `value` worth transferring rather than copying. */
export function transferables(value: unknown): Transferable[] {
  if (value instanceof Uint8Array) return [value.buffer as ArrayBuffer];
  // An output's `data`, decoded pixels' `rgba`, `png` and `picture`, a band's `rows` and
  // `screen`, or a conversion's strip(s).
  const { data, rgba, png, picture, rows, screen, strip, strips } = (value ?? {}) as Record<string, unknown>;
  const buffers = [data, rgba, png, picture, rows, screen, strip, ...(Array.isArray(strips) ? strips : [])].filter((bytes) => bytes instanceof Uint8Array).map((bytes) => (bytes as Uint8Array).buffer as ArrayBuffer);
  // postMessage refuses a buffer listed twice.
  return [...new Set(buffers)];
}
