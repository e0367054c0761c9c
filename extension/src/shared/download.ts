// Saves bytes through the downloads API, so the browser's own "ask where to
// save" setting applies (no saveAs override).
import { ext } from './ext';

function dataUrl(bytes: Uint8Array, mime: string): string {
  return `data:${mime};base64,${bytes.toBase64()}`;
}

/**
 * Chromium's service worker has no URL.createObjectURL, and Chromium accepts
 * data: URLs; Firefox refuses data: URLs but its event page and every extension
 * page have object URLs.
 */
export async function download(bytes: Uint8Array, mime: string, filename: string): Promise<number> {
  if (typeof URL.createObjectURL !== 'function') {
    return ext.downloads.download({ url: dataUrl(bytes, mime), filename, conflictAction: 'uniquify' });
  }
  return downloadBlob(new Blob([bytes as BlobPart], { type: mime }), filename);
}

/** Saves a Blob from a context that has object URLs (pages, Firefox's event page). */
export async function downloadBlob(blob: Blob, filename: string): Promise<number> {
  const url = URL.createObjectURL(blob);
  let id: number;
  try {
    id = await ext.downloads.download({ url, filename, conflictAction: 'uniquify' });
  } catch (e) {
    URL.revokeObjectURL(url);
    throw e;
  }
  // Firefox reads the URL only after a "Save as" dialog is answered, so the URL lives until the download ends.
  const done = (delta: chrome.downloads.DownloadDelta) => {
    const state = delta.state?.current;
    if (delta.id === id && (state === 'complete' || state === 'interrupted')) {
      URL.revokeObjectURL(url);
      ext.downloads.onChanged.removeListener(done);
    }
  };
  ext.downloads.onChanged.addListener(done);
  return id;
}
