// Chromium: the engine for long work in a worker of an offscreen document, not in the
// service worker. A service worker busy in one call stops answering Chromium's pings, and
// Chromium stops it (bench/long-engine-call.mjs): "Save as AVIF" on a 96 MP photo saved
// nothing in 400 s, and said nothing, when the service worker ran the engine; from here
// it is saved after 77 s. (35 s of work in the service worker is still answered.)
// The menu's work comes here, and the content scripts' re-encoding (the guard's recompress
// mode). Content scripts' requests forwarded here as they came broke Chromium's Blob reads
// after about 250 MB (66f4888, reverted): the service worker passed Blob handles on without
// reading them, so it never allocated enough to collect garbage, and the handles it no
// longer used kept their data (the explanation that fits; not proven). So each side reads
// what it receives: the service worker reads a content script's Blob (service.ts) and sends
// a Blob of its own (MessagingEngine). While this document is open it also receives the
// content scripts' own messages, Blobs it never reads: measured harmless (12 x 20 MB cleaned
// from a content script during a menu job, all read back whole).
// Firefox's event page can start a worker itself (worker-engine.ts).
import { MessagingEngine } from '../engine/messaging-engine';
import { toOffscreen, type Lane } from '../engine/offscreen-protocol';
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

/** Jobs using the document now. */
let jobs = 0;
/**
 * Opening and closing, one after the other: a job that starts while the last one's close
 * is under way waits for it, then opens the document again. (hasDocument() is true as soon
 * as a document is being made, before it listens: only an opening awaited here is ready.)
 */
let lifecycle: Promise<void> = Promise.resolve();

function then(step: () => Promise<void>): Promise<void> {
  lifecycle = lifecycle.catch(() => undefined).then(step);
  return lifecycle;
}

async function open(): Promise<void> {
  const offscreen = offscreenApi();
  if (await offscreen.hasDocument()) return;
  await offscreen.createDocument({
    url: DOCUMENT,
    reasons: ['WORKERS' as chrome.offscreen.Reason],
    justification: 'Images are cleaned and converted in a worker, which a service worker cannot start.',
  });
}

async function close(): Promise<void> {
  if (jobs > 0) return;
  const offscreen = offscreenApi();
  if (await offscreen.hasDocument()) await offscreen.closeDocument();
}

/** The background's engine for long work (the context menu's, and re-encoding for uploads), in Chromium. */
export class OffscreenEngine extends MessagingEngine {
  constructor(private readonly lane: Lane) {
    super();
  }

  /** The service worker's own buffer: no page can reach it, so no copy. */
  protected override bytesOf(buffer: ArrayBuffer): Uint8Array {
    return new Uint8Array(buffer);
  }

  protected override async deliver(request: EngineRequest): Promise<EngineReply | undefined> {
    jobs++;
    try {
      await then(open);
      // Awake meanwhile: runAction and main.ts keep the service worker so for the whole job (awake.ts).
      return (await chrome.runtime.sendMessage(toOffscreen(request, this.lane))) as EngineReply | undefined;
    } finally {
      // The document goes with the last job: it holds the engine's memory, and while open
      // it also receives the content scripts' engine messages, Blobs it never reads. Two
      // seconds' grace for the next call ("Compress" may clean after converting; an upload
      // of several photos converts one after another).
      if (--jobs === 0) setTimeout(() => void then(close).catch(() => undefined), 2000);
    }
  }
}
