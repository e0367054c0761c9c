// The engine through runtime messaging to the background, for content scripts.
// Both browsers' runtime messaging is a structured clone here (Chromium by the
// manifest's message_serialization key), so bytes cross as they are.
import { ext } from '../shared/ext';
import { CallEngine } from './call-engine';
import type { EngineCall } from './protocol';
import type { EngineReply, EngineRequest } from './service';
import { EngineError } from './types';

export class MessagingEngine extends CallEngine {
  /** The engine's own time for the last answered request, in ms (benchmarks subtract it). */
  lastEngineMs = 0;

  protected async call(call: EngineCall): Promise<unknown> {
    const request: EngineRequest = { type: 'traceless:engine', ...call };
    const reply = (await ext.runtime.sendMessage(request).catch((e: Error) => {
      // Chromium refuses runtime messages over 64 MiB (measured: a 70 MB message fails).
      if (/maximum allowed size/.test(e.message)) {
        throw new EngineError('images over 64 MB cannot reach the engine from a web page', 'limit_exceeded');
      }
      throw e;
    })) as EngineReply | undefined;
    if (!reply) throw new EngineError('the engine did not answer', 'internal');
    if (!reply.ok) throw new EngineError(reply.message, reply.kind);
    this.lastEngineMs = reply.ms;
    return reply.value;
  }
}
