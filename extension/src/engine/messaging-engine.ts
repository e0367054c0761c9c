// The engine through runtime messaging to the background, for content scripts (and,
// in Chromium, for the background itself: to its offscreen document).
// Both browsers' runtime messaging is a structured clone here (Chromium by the
// manifest's message_serialization key); bytes travel as Blobs (see service.ts).
import { ext } from '../shared/ext';
import { CallEngine } from './call-engine';
import type { EngineCall } from './protocol';
import type { EngineReply, EngineRequest } from './service';
import { EngineError, errorFrom, type CleanReport, type ConvertOptions, type ConvertReport, type Policy } from './types';

export class MessagingEngine extends CallEngine {
  /** The engine's own time for the last answered request, in ms (benchmarks subtract it). */
  lastEngineMs = 0;

  protected async call(call: EngineCall): Promise<unknown> {
    const { bytes, ...rest } = call;
    const value = (await this.send({ type: 'traceless:engine', ...rest, input: new Blob([bytes as BlobPart]) })) as { data?: unknown } | null;
    if (value?.data instanceof Blob) return { ...value, data: this.bytesOf(await value.data.arrayBuffer()) };
    return value;
  }

  /** An answer's bytes as this context may use them: Firefox hands content scripts page-side buffers, so a copy of our own. */
  protected bytesOf(buffer: ArrayBuffer): Uint8Array {
    return new Uint8Array(new Uint8Array(buffer));
  }

  /**
   * Cleans a file without reading it here: the File goes to the background as a handle,
   * and the cleaned copy comes back as a Blob (the upload guard makes a File of it).
   * `video`: the file was taken for a video, so one the engine does not recognise as
   * one is refused without being read.
   */
  async cleanBlob(input: Blob, policy?: Policy, video = false): Promise<{ data: Blob; report: CleanReport }> {
    const request: EngineRequest = { type: 'traceless:engine', op: 'clean', policy, input, video };
    return (await this.send(request)) as { data: Blob; report: CleanReport };
  }

  /**
   * Converts a file without reading it here, as cleanBlob does: in Firefox a content
   * script's read of a page's File resolves in the page's realm, where a page's
   * `Object.prototype.then` getter sees the buffer (tests/e2e/hostile/then-getter.html).
   */
  async convertBlob(input: Blob, options: ConvertOptions): Promise<{ data: Blob; report: ConvertReport }> {
    const request: EngineRequest = { type: 'traceless:engine', op: 'convert', options, input };
    return (await this.send(request)) as { data: Blob; report: ConvertReport };
  }

  /** Where a request goes: the background (Chromium's background sends it on: offscreen-engine.ts). */
  protected async deliver(request: EngineRequest): Promise<EngineReply | undefined> {
    return (await ext.runtime.sendMessage(request)) as EngineReply | undefined;
  }

  private async send(request: EngineRequest): Promise<unknown> {
    let reply: EngineReply | undefined;
    try {
      reply = await this.deliver(request);
    } catch (e) {
      throw messagingFailure(e);
    }
    if (!reply) throw new EngineError('the engine did not answer', 'internal');
    if (!reply.ok) throw errorFrom(reply);
    this.lastEngineMs = reply.ms;
    return reply.value;
  }
}

/** Why a runtime message could not be sent, in the engine's terms where they say more. */
function messagingFailure(e: unknown): unknown {
  const message = e instanceof Error ? e.message : String(e);
  // Chromium refuses runtime messages over 64 MiB; a Blob stays far below that,
  // but say so plainly should it ever happen.
  if (/maximum allowed size/.test(message)) {
    return new EngineError('the image is too large to reach the engine from a web page', 'limit_exceeded');
  }
  // The extension was updated, reloaded or turned off and on since this page opened: Chromium
  // leaves this content script running, cut off (its runtime has no id any more), and does not
  // start the new one in open tabs. Files are held back all the same; reloading the page mends it.
  if (!ext.runtime?.id || /context invalidated/i.test(message)) {
    return new EngineError(`the extension is no longer reachable (${message})`, 'internal', { code: 'extension_reloaded', args: [] });
  }
  return e;
}
