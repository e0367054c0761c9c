// Content script: answers the background's questions about the image under
// the context menu, and shows notices. It never acts on page messages.
import { AcquireError, fetchParts, largerOrShown } from '../shared/acquire';
import { ext, isFirefox } from '../shared/ext';
import { t } from '../shared/i18n';
import { isContentRequest, MAX_FETCH_BYTES, samePage, type ContentRequest, type ImageReply } from '../shared/messages';
import { bestSource } from './best-source';
import { contentEngine } from './engine';
import { showNotice } from './notice';
import { describe } from './guard/report';
import { formBusy, guardInputs } from './guard/inputs';
import { holdSubmits } from './guard/forms';
import { guardDrops } from './guard/drops';
import { namePathsInForms } from './guard/relative-paths';
import { guardChoosers } from './guard/picker';
import { guardFlips } from './guard/flips';
import type { FileOutcome } from './guard/clean-files';
import { cleaningProgress } from './guard/progress';
import { currentSettings } from '../shared/settings';
import { listenOnDocument, listenToPageWorld } from './lasting-listeners';
import { LOST } from './rearm-bridge';
import { here, siteName } from './site-name';
import { followGuardSwitch, guardIsOff } from './guard/switch';
import { askToBeWrapped } from './frame-adoption';

askToBeWrapped();

let lastTarget: EventTarget | undefined;

// composedPath() reaches into open shadow roots; for closed ones it stops at the host.
listenOnDocument('contextmenu', (e) => (lastTarget = e.composedPath()[0]), { capture: true });

/**
 * blob: URLs belong to the page's origin: only this frame can read them. So is read a data:
 * image whose address the browser left out (`srcUrl` ''): megabytes of address are not sent
 * back, only its scheme, which names the copy.
 */
async function image(srcUrl: string, img: HTMLImageElement | undefined): Promise<ImageReply> {
  const shown = img?.currentSrc || img?.src || '';
  // Unnamed, only a data: image is read (the one case in which the browser leaves the address
  // out): the right-clicked element is the page's to change, and must not make the extension
  // fetch an address of the page's choosing.
  if (!srcUrl && !shown.startsWith('data:')) return { url: '' };
  const url = srcUrl ? bestSource(img, srcUrl) : shown;
  if (srcUrl && !url.startsWith('blob:')) return readsHere(url, srcUrl) ? readHere(url, srcUrl) : { url };
  const named = srcUrl ? url : 'data:';
  try {
    const response = await fetch(url);
    // A blob: answer states its size: a page can make one as large as it likes.
    if (Number(response.headers.get('content-length')) > MAX_FETCH_BYTES) {
      void response.body?.cancel();
      return { url: named, tooLarge: true };
    }
    // A Blob of our own (Firefox hands content scripts page-side objects).
    const file = new Blob([await response.blob()]);
    return file.size > MAX_FETCH_BYTES ? { url: named, tooLarge: true } : { url: named, file };
  } catch (e) {
    // Pages often revoke a blob: URL once its image has loaded: the file is gone, but the
    // picture is still on the screen. Its pixels, as a PNG, are what can be saved (its
    // metadata went with the file).
    const pixels = shows(img, url) ? await pixelsOf(img) : undefined;
    return pixels ? { url: named, file: pixels, redrawn: true } : { url: named, error: (e as Error).message };
  }
}

/** The picture an <img> shows, as a PNG, or undefined when it shows none (or may not be read). */
async function pixelsOf(img: HTMLImageElement): Promise<Blob | undefined> {
  if (!img.complete || img.naturalWidth === 0) return undefined;
  try {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    canvas.getContext('2d')!.drawImage(img, 0, 0);
    const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    return png ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Firefox, private window: its background, one for all windows, cannot fetch with the private
 * session's cookies, so it fetches without any (acquire.ts), and an image behind a sign-in
 * made in the private window was refused. An image shown from this frame's own origin (and its
 * larger version, if any, from there too) is read here, as the frame's own request would be,
 * with the private session's cookies. Other origins' images meet CORS here: the background
 * reads those.
 */
function readsHere(url: string, srcUrl: string): boolean {
  if (!isFirefox() || !ext.extension.inIncognitoContext) return false;
  // A larger version on another origin (a CDN's) would meet CORS here, and be lost for the
  // image shown: the background reads both then, as before.
  const ownOrigin = (address: string) => {
    try {
      const parsed = new URL(address);
      return /^https?:$/.test(parsed.protocol) && parsed.origin === location.origin;
    } catch {
      return false;
    }
  };
  return ownOrigin(srcUrl) && ownOrigin(url);
}

/**
 * As acquire() does (`largerOrShown`), with the frame's own cookies for the image shown. What
 * any other way to read it would meet too (too large, a stalled server) is said; anything else
 * leaves the reading to the background.
 */
async function readHere(url: string, srcUrl: string): Promise<ImageReply> {
  const read = async (address: string, candidate: boolean) => {
    const rules = { credentials: candidate ? 'omit' : 'same-origin', cache: 'default', origin: location.origin } as const;
    return new Blob((await fetchParts(address, rules)).parts as BlobPart[]);
  };
  try {
    const { value: file, url: readFrom } = await largerOrShown(url, srcUrl, read, async (file) => new Uint8Array(await file.slice(0, 16).arrayBuffer()));
    return { url: readFrom, file };
  } catch (e) {
    if (e instanceof AcquireError && e.reason === 'too-large') return { url: srcUrl, tooLarge: true };
    if (e instanceof AcquireError && e.reason === 'stalled') return { url: srcUrl, error: e.message };
    return { url: srcUrl };
  }
}

function shows(img: HTMLImageElement | undefined, url: string): img is HTMLImageElement {
  return !!img && (img.currentSrc === url || img.src === url);
}

/** Returns undefined when this frame should stay silent. */
function handle(request: ContentRequest): Promise<unknown> | undefined {
  switch (request.type) {
    case 'traceless:image': {
      const img = lastTarget instanceof HTMLImageElement ? lastTarget : undefined;
      if (request.broadcast && !(request.srcUrl ? shows(img, request.srcUrl) : img)) return undefined;
      return image(request.srcUrl, img);
    }
    case 'traceless:notice':
      if (window !== window.top) return undefined;
      // For the page the image was clicked in only: the tab may show another site's by now.
      if (request.page !== undefined && !samePage(request.page, location.href)) return Promise.resolve({ shown: false });
      showNotice(request.text, request.tone, { key: request.key, elapsedMs: request.elapsedMs, refreshWithinMs: request.refreshWithinMs });
      return Promise.resolve({ shown: true });
  }
}

ext.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== ext.runtime.id || !isContentRequest(message)) return false;
  const reply = handle(message);
  if (!reply) return false;
  reply.then(sendResponse, (e) => sendResponse({ error: String(e) }));
  return true;
});

/**
 * Sends a held-back original after the user says so twice: on the notice's button, then
 * in the browser's own dialog. The notice's host element is in the page, which can make
 * it invisible or draw over it and so lead a click onto its button unseen; no page can
 * draw over the browser's dialog, and its words say what goes where. Where the browser
 * shows no dialog (a sandboxed frame, a tab in the background), confirm() says no: the
 * file stays back.
 */
function sendOriginal(original: File, allow: (original: File) => void): boolean {
  const site = siteName(here());
  const words = site ? t('confirmUploadOriginal', original.name, site) : t('confirmUploadOriginalHere', original.name);
  if (!window.confirm(words)) return false;
  allow(original);
  return true;
}

// The upload guard: every image a page receives from a file input, a drop or a
// paste is cleaned first.
const guard = {
  engine: contentEngine,
  settings: currentSettings,
  report: (outcomes: FileOutcome[], allow?: (original: File) => void, declined?: () => void) => {
    for (const notice of describe(outcomes)) {
      const held = notice.heldBack;
      const action = held && allow
        ? { label: t('noticeUploadAnyway', notice.heldBackName ?? held.name), run: () => sendOriginal(held, allow), declined }
        : undefined;
      showNotice(notice.text, notice.tone, { action });
    }
    const count = outcomes.filter((o) => o.kind === 'cleaned').length;
    if (count) void ext.runtime.sendMessage({ type: 'traceless:cleaned', count }).catch(() => undefined);
  },
  warn: (text: string) => void showNotice(text, 'error'),
  progress: cleaningProgress,
  off: guardIsOff,
};
// The page got its listeners ahead of the guard's for good (main-world.ts, settle()): the
// guard can no longer stop it, so the user is told, on the page and on the toolbar button,
// which the page cannot hide.
// The notice comes after the page's current task: the page is rebuilding itself, its nodes
// going, the notice's with them.
listenToPageWorld(LOST, () => {
  void ext.runtime.sendMessage({ type: 'traceless:guard-lost' }).catch(() => undefined);
  setTimeout(() => showNotice(t('noticeGuardLost'), 'error', { key: 'guard-lost' }));
});
followGuardSwitch(currentSettings);
guardChoosers(guard);
// Before guardInputs: it stops the browser's input events, which tell flips.ts a chooser answered.
guardFlips(guard);
guardInputs(guard);
holdSubmits(formBusy);
namePathsInForms();
guardDrops(guard);

// The transport benchmark and tests reach the content-script engine here. This
// global lives in the content script's isolated world: page scripts cannot see it.
(globalThis as { tracelessContentEngine?: unknown }).tracelessContentEngine = contentEngine;
