// The engine through runtime messaging to the background, for Firefox content
// scripts: Firefox's runtime messaging is a structured clone (bytes cross as
// they are), while a MessagePort handed to an extension frame from a content
// script never arrives there (the engine frame's way, used in Chromium).
import { ext } from '../shared/ext';
import { CallEngine } from './call-engine';
import type { EngineCall } from './protocol';
import type { EngineReply, EngineRequest } from './service';
import { EngineError } from './types';

export class MessagingEngine extends CallEngine {
  protected async call(call: EngineCall): Promise<unknown> {
    const request: EngineRequest = { type: 'traceless:engine', ...call };
    const reply = (await ext.runtime.sendMessage(request)) as EngineReply | undefined;
    if (!reply) throw new EngineError('the engine did not answer', 'internal');
    if (!reply.ok) throw new EngineError(reply.message, reply.kind);
    return reply.value;
  }
}
