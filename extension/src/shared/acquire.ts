// Gets the bytes of the image a user chose: asks the frame's content script for
// the best-resolution source (srcset, <picture>), then fetches it. blob: URLs
// belong to the page's origin, so the content script reads those.
import type { ContentRequest, ImageReply, ImageSource } from './messages';
import { ext } from './ext';
import { t } from './i18n';

/** Bigger than any image the engine accepts (its limit is 100 MP decoded; files this large are not photos). */
export const MAX_FETCH_BYTES = 256 * 1024 * 1024;

export class AcquireError extends Error {
  override name = 'AcquireError';
}

export interface Acquired {
  bytes: Uint8Array;
  /** The URL actually read (may differ from srcUrl when srcset offered a larger one). */
  url: string;
}

async function ask(source: ImageSource): Promise<ImageReply | undefined> {
  if (source.tabId === undefined || source.tabId < 0) return undefined;
  const broadcast = source.frameId === undefined;
  const request: ContentRequest = { type: 'traceless:image', srcUrl: source.srcUrl, broadcast };
  try {
    const reply = broadcast
      ? await ext.tabs.sendMessage(source.tabId, request)
      : await ext.tabs.sendMessage(source.tabId, request, { frameId: source.frameId });
    return (reply ?? undefined) as ImageReply | undefined;
  } catch {
    // No content script in that frame (a page opened before the extension was installed,
    // a sandboxed frame): fall back to what the browser told us.
    return undefined;
  }
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'include', cache: 'force-cache' });
  } catch (e) {
    throw new AcquireError(t('acquireDownload', (e as Error).message));
  }
  if (!response.ok) throw new AcquireError(t('acquireRefused', String(response.status)));
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_FETCH_BYTES) throw new AcquireError(t('acquireTooLarge'));
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_FETCH_BYTES) throw new AcquireError(t('acquireTooLarge'));
  return bytes;
}

export async function acquire(source: ImageSource): Promise<Acquired> {
  const reply = await ask(source);
  const url = reply?.url ?? source.srcUrl;
  if (reply?.error) throw new AcquireError(t('acquireFromPage', reply.error));
  if (reply?.base64 !== undefined) return { bytes: Uint8Array.fromBase64(reply.base64), url };
  if (url.startsWith('blob:')) throw new AcquireError(t('acquireBlob'));
  if (!/^(https?|data|file):/.test(url)) throw new AcquireError(t('acquireAddress'));
  return { bytes: await fetchBytes(url), url };
}
