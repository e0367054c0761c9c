// Saves bytes through the downloads API, so the browser's own "ask where to
// save" setting applies (no saveAs override).
import { ext, isFirefox } from './ext';
import { downloadName } from './names';

/**
 * A download made for a private window goes in that window's history, not the normal
 * profile's. Firefox needs telling (downloads.download's `incognito`, default false even
 * when the caller is a private page); Chromium's split incognito mode already runs the
 * caller in the private profile, and its API has no such option.
 */
function privacy(isPrivate: boolean): { incognito?: true } {
  return isFirefox() && (isPrivate || ext.extension.inIncognitoContext) ? { incognito: true } : {};
}

/** The person dismissed the "Save as" dialog: their choice, not a failure to report. */
export class DownloadCancelled extends Error {
  constructor() {
    super('download cancelled');
  }
}

/** The browser stopped the download; `reason` is its code (FILE_NO_SPACE, FILE_ACCESS_DENIED...). */
export class DownloadInterrupted extends Error {
  constructor(readonly reason: string) {
    super(`download interrupted: ${reason}`);
  }
}

/**
 * Firefox rejects downloads.download() when its "Save as" dialog is dismissed, in these
 * words (ext-downloads.js): the API's only signal of it. Chromium starts the download
 * and interrupts it with USER_CANCELED instead (see `finished`).
 */
function startFailure(e: unknown): unknown {
  return e instanceof Error && e.message === 'Download canceled by the user' ? new DownloadCancelled() : e;
}

/**
 * Resolves when the download has been written, rejects when it was cancelled or stopped:
 * a "Saved" notice is only true then. (A "Save as" dialog keeps it waiting until answered.)
 */
export function finished(id: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const stop = () => {
      settled = true;
      ext.downloads.onChanged.removeListener(changed);
      ext.downloads.onErased.removeListener(erased);
    };
    const settle = (state: string | undefined, error: string | undefined) => {
      if (settled || (state !== 'complete' && state !== 'interrupted')) return;
      stop();
      if (state === 'complete') resolve();
      else reject(error === 'USER_CANCELED' ? new DownloadCancelled() : new DownloadInterrupted(error ?? 'unknown'));
    };
    const changed = (delta: chrome.downloads.DownloadDelta) => {
      if (delta.id === id) settle(delta.state?.current, delta.error?.current);
    };
    // Removed from the list before it finished (cleared, or cancelled from it): not saved.
    const erased = (erasedId: number) => {
      if (erasedId === id) settle('interrupted', 'USER_CANCELED');
    };
    ext.downloads.onChanged.addListener(changed);
    ext.downloads.onErased.addListener(erased);
    // It may have ended before the listeners were added (a small data: URL does at once).
    ext.downloads.search({ id }).then(
      ([item]) => (item ? settle(item.state, item.error) : settle('interrupted', 'USER_CANCELED')),
      (e: unknown) => {
        if (settled) return;
        stop();
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** The file name a finished download was written under (the browser may have added " (1)"); `asked` when it cannot say. */
export async function writtenName(id: number, asked: string): Promise<string> {
  try {
    const [item] = await ext.downloads.search({ id });
    return item?.filename?.split(/[\\/]/).pop() || asked;
  } catch {
    return asked;
  }
}

function dataUrl(bytes: Uint8Array, mime: string): string {
  return `data:${mime};base64,${bytes.toBase64()}`;
}

/**
 * Chromium's service worker has no URL.createObjectURL, and Chromium accepts
 * data: URLs; Firefox refuses data: URLs but its event page and every extension
 * page have object URLs.
 */
export async function download(bytes: Uint8Array, mime: string, filename: string, isPrivate = false): Promise<number> {
  if (typeof URL.createObjectURL !== 'function') {
    const options = { url: dataUrl(bytes, mime), filename: downloadName(filename), conflictAction: 'uniquify' as const, ...privacy(isPrivate) };
    return ext.downloads.download(options).catch((e: unknown) => {
      throw startFailure(e);
    });
  }
  return downloadBlob(new Blob([bytes as BlobPart], { type: mime }), filename, isPrivate);
}

/**
 * Saves a Blob from a context that has object URLs (pages, Firefox's event page).
 * `isPrivate`: made for a private window (a page in one knows it by itself).
 */
export async function downloadBlob(blob: Blob, filename: string, isPrivate = false): Promise<number> {
  const url = URL.createObjectURL(blob);
  let id: number;
  try {
    id = await ext.downloads.download({ url, filename: downloadName(filename), conflictAction: 'uniquify', ...privacy(isPrivate) });
  } catch (e) {
    URL.revokeObjectURL(url);
    throw startFailure(e);
  }
  // Firefox reads the URL only after a "Save as" dialog is answered, so the URL lives until the download ends.
  void finished(id)
    .catch(() => {})
    .finally(() => URL.revokeObjectURL(url));
  return id;
}
