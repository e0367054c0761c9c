// Chromium: the engine in a worker of an offscreen document, not in the service worker.
// A service worker busy in one call stops answering Chromium's pings, and Chromium stops
// it: a 48 MP photo to AVIF at speed 4 was cut off after 60 s, and nothing was saved or
// said (35 s of work was still answered). From here, 140 s of work is answered
// (bench/long-engine-call.mjs).
// Firefox's background is an event page with no such limit, and keeps the engine itself.
import { MessagingEngine } from '../engine/messaging-engine';
import { toOffscreen } from '../engine/offscreen-protocol';
import type { EngineReply, EngineRequest } from '../engine/service';
import { whileAwake } from './awake';

const DOCUMENT = 'offscreen.html';

let opening: Promise<void> | undefined;

/** Opens the offscreen document unless it is open (one at a time: a second create throws). */
async function offscreenDocument(): Promise<void> {
  if (await chrome.offscreen.hasDocument()) return;
  opening ??= chrome.offscreen
    .createDocument({
      url: DOCUMENT,
      reasons: [chrome.offscreen.Reason.WORKERS],
      justification: 'Images are cleaned and converted in a worker, which a service worker cannot start.',
    })
    .finally(() => (opening = undefined));
  await opening;
}

/** Sends an engine request, as a content script sent it, to the offscreen document and waits awake for its answer. */
export async function serveOffscreen(request: EngineRequest): Promise<EngineReply | undefined> {
  await offscreenDocument();
  return whileAwake(chrome.runtime.sendMessage(toOffscreen(request)) as Promise<EngineReply | undefined>);
}

/** The background's own engine (the context menu's) in Chromium. */
export class OffscreenEngine extends MessagingEngine {
  protected override deliver(request: EngineRequest): Promise<EngineReply | undefined> {
    return serveOffscreen(request);
  }
}
