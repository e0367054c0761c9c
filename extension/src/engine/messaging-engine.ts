// The engine through runtime messaging to the background, for Firefox content
// scripts: Firefox's runtime messaging is a structured clone (bytes cross as
// they are), while a MessagePort handed to an extension frame from a content
// script never arrives there (the engine frame's way, used in Chromium).
import { ext } from '../shared/ext';
import type { EngineRequest, EngineReply } from './service';
import {
  EngineError,
  type CleanReport,
  type ConvertOptions,
  type ConvertReport,
  type Engine,
  type InspectReport,
  type Output,
  type Policy,
} from './types';

async function call(request: EngineRequest): Promise<unknown> {
  const reply = (await ext.runtime.sendMessage(request)) as EngineReply | undefined;
  if (!reply) throw new EngineError('the engine did not answer', 'internal');
  if (!reply.ok) throw new EngineError(reply.message, reply.kind);
  return reply.value;
}

export class MessagingEngine implements Engine {
  inspect(bytes: Uint8Array): Promise<InspectReport> {
    return call({ type: 'traceless:engine', op: 'inspect', bytes }) as Promise<InspectReport>;
  }

  clean(bytes: Uint8Array, policy?: Policy): Promise<Output<CleanReport>> {
    return call({ type: 'traceless:engine', op: 'clean', bytes, policy }) as Promise<Output<CleanReport>>;
  }

  convert(bytes: Uint8Array, options?: ConvertOptions): Promise<Output<ConvertReport>> {
    return call({ type: 'traceless:engine', op: 'convert', bytes, options }) as Promise<Output<ConvertReport>>;
  }
}
