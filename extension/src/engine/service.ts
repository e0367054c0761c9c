// The background's side of MessagingEngine: runs engine requests from our own
// content scripts (see messaging-engine.ts).
//
// Bytes cross as Blobs both ways. Runtime messaging clones its message; a Blob is
// cloned as a handle to the same data, so only the reading side copies it:
// measured in Chromium 156, a 5 MB round trip took 28 ms as Blobs against 111 ms
// as a Uint8Array (20 MB: 98 against 400 ms), and Blobs are not bound by
// Chromium's 64 MiB message limit.
import { perform, type EngineCall } from './protocol';
import { EngineError, errorReply, type Engine, type ErrorReply } from './types';
import { refuseBeforeReading } from './unreadable';
import { cleanVideo, inspectVideo, videoFormat } from './video';

/** An engine call as sent: its input as a Blob instead of bytes (per kind of call). */
type WithoutBytes<T> = T extends unknown ? Omit<T, 'bytes'> : never;
/** `video`: the sender took the input for a video (by its type or name). */
export type EngineRequest = WithoutBytes<EngineCall> & { type: 'traceless:engine'; input: Blob; video?: boolean };

/** `ms`: the engine's own time, so callers (the transport benchmark) can tell transport from work. */
export type EngineReply = { ok: true; value: unknown; ms: number } | ({ ok: false } & ErrorReply);

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

/** Videos stay Blobs: the video cleaner reads only the ranges it needs (engine/video.ts). */
async function serveVideo(request: EngineRequest): Promise<unknown> {
  switch (request.op) {
    case 'clean':
      return cleanVideo(request.input, request.policy);
    case 'inspect':
      return inspectVideo(request.input);
    case 'convert':
      throw new EngineError('Traceless removes metadata from videos but does not re-encode them', 'unsupported', { code: 'video_not_reencoded', args: [] });
  }
}

export async function serve(engine: Engine, request: EngineRequest): Promise<EngineReply> {
  try {
    // Decided by content: a video named photo.jpg is still a video, and is not read whole.
    if (await videoFormat(request.input)) {
      const started = performance.now();
      return { ok: true, value: await serveVideo(request), ms: performance.now() - started };
    }
    refuseBeforeReading(request.input, request.video === true);
    const bytes = new Uint8Array(await request.input.arrayBuffer());
    const started = performance.now();
    const value = await perform(engine, engineCall(request, bytes));
    return { ok: true, value: outbound(value), ms: performance.now() - started };
  } catch (e) {
    return { ok: false, ...errorReply(e) };
  }
}

/**
 * The call a request asks for, rebuilt field by field: nothing else a sender added
 * reaches the engine (decoded pixels, for one, come only from an extension page's
 * own workers: PixelEngine).
 */
function engineCall(request: EngineRequest, bytes: Uint8Array): EngineCall {
  switch (request.op) {
    case 'inspect':
      return { op: 'inspect', bytes };
    case 'clean':
      return { op: 'clean', bytes, policy: request.policy };
    case 'convert':
      return { op: 'convert', bytes, options: request.options };
  }
}
