// Chromium: the context menu's engine in a worker of an offscreen document, not in the
// service worker. A service worker busy in one call stops answering Chromium's pings, and
// Chromium stops it (bench/long-engine-call.mjs): "Save as AVIF" on a 96 MP photo saved
// nothing in 400 s, and said nothing, when the service worker ran the engine; from here
// it is saved after 77 s. (35 s of work in the service worker is still answered.)
// Only the menu's work comes here. Content scripts' requests, forwarded here too, broke
// Chromium's Blob reads after about 250 MB (66f4888, reverted): the service worker passed
// Blob handles on without reading them, so it never allocated enough to collect garbage,
// and the handles it no longer used kept their data (that is the explanation that fits;
// not proven). Here each side reads what it receives, as the content scripts' path does.
// Firefox's background is an event page with no such limit, and keeps the engine itself.
import { MessagingEngine } from '../engine/messaging-engine';
import { toOffscreen } from '../engine/offscreen-protocol';
import type { EngineReply, EngineRequest } from '../engine/service';

const DOCUMENT = 'offscreen.html';

/**
 * Chromium's offscreen API, reached by name: one bundle serves both browsers, Firefox has
 * no such API and never runs this module's code, and its linter (web-ext lint) would
 * otherwise take the bundle for a Firefox extension using it.
 */
function offscreenApi(): typeof chrome.offscreen {
  return (chrome as unknown as Record<string, typeof chrome.offscreen>)['offscreen'];
}

let opening: Promise<void> | undefined;

/** Opens the offscreen document unless it is open (one at a time: a second create throws). */
async function offscreenDocument(): Promise<void> {
  const offscreen = offscreenApi();
  if (await offscreen.hasDocument()) return;
  opening ??= offscreen
    .createDocument({
      url: DOCUMENT,
      reasons: ['WORKERS' as chrome.offscreen.Reason],
      justification: 'Images are cleaned and converted in a worker, which a service worker cannot start.',
    })
    .finally(() => (opening = undefined));
  await opening;
}

/** The background's own engine for the context menu, in Chromium. */
export class OffscreenEngine extends MessagingEngine {
  protected override async deliver(request: EngineRequest): Promise<EngineReply | undefined> {
    await offscreenDocument();
    // Awake meanwhile: runAction keeps the service worker so for the whole job (awake.ts).
    return (await chrome.runtime.sendMessage(toOffscreen(request))) as EngineReply | undefined;
  }
}
