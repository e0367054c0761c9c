// Gets the bytes of the image a user chose: asks the frame's content script for
// the best-resolution source (srcset, <picture>), then fetches it. blob: URLs
// belong to the page's origin, so the content script reads those.
import { MAX_FETCH_BYTES, type ContentRequest, type ImageReply, type ImageSource } from './messages';
import { ext } from './ext';
import { hasEngineImageMagic } from './file-kinds';
import { t } from './i18n';


export class AcquireError extends Error {
  override name = 'AcquireError';
  /** Why, where another way to read the image would meet the same: too large, or a server that stalled. */
  constructor(message: string, readonly reason?: 'too-large' | 'stalled') {
    super(message);
  }
}

export interface Acquired {
  bytes: Uint8Array;
  /** The URL actually read (may differ from srcUrl when srcset offered a larger one). */
  url: string;
  /** The page had released the file (a revoked blob: URL): these are the pixels it shows, as a PNG. */
  redrawn?: boolean;
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

/** A server that sends nothing for this long has stalled: the user is told, not left waiting. */
const STALL_MS = 60_000;

/**
 * How an image may be fetched. `credentials`: 'omit' for a srcset candidate the browser did
 * not load itself: a page names those, and must not have the extension send the user's
 * cookies anywhere it likes.
 */
export interface FetchRules {
  credentials: RequestCredentials;
  cache: RequestCache;
  /** The origin the answer must come from, after any redirect (a content script's read of its own site). */
  origin?: string;
}

/**
 * An image in a private window, fetched from a context outside it (Firefox's background is
 * one for all windows): the normal profile's cookies must not go with it, linking the
 * private visit to the person's own accounts, and the image must not land in the normal
 * profile's disk cache, a trace of private browsing. In Chromium, split incognito mode gives
 * private windows a background of their own (manifest), so this applies only in Firefox.
 */
function rulesFor(source: ImageSource, credentials: RequestCredentials): FetchRules {
  if (source.incognito && !ext.extension.inIncognitoContext) return { credentials: 'omit', cache: 'no-store' };
  return { credentials, cache: 'force-cache' };
}

/** The body at `url`, refused past MAX_FETCH_BYTES as it arrives and when the server stalls. */
async function fetchBytes(url: string, rules: FetchRules): Promise<Uint8Array> {
  const { parts, length } = await fetchParts(url, rules);
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

/** As `fetchBytes`, the body in the pieces it came in (a Blob is made of them without a joined copy). */
export async function fetchParts(url: string, { credentials, cache, origin }: FetchRules): Promise<{ parts: Uint8Array[]; length: number }> {
  const abort = new AbortController();
  let stalled = false;
  let timer = 0;
  const watch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      abort.abort();
    }, STALL_MS) as unknown as number;
  };
  const failed = (e: unknown) =>
    e instanceof AcquireError
      ? e
      : stalled
        ? new AcquireError(t('acquireStalled'), 'stalled')
        : new AcquireError(t('acquireDownload', (e as Error).message));
  const tooLarge = () => new AcquireError(t('acquireTooLarge'), 'too-large');
  watch();
  try {
    let response: Response;
    try {
      response = await fetch(url, { credentials, cache, signal: abort.signal });
    } catch (e) {
      throw failed(e);
    }
    if (!response.ok) throw new AcquireError(t('acquireRefused', String(response.status)));
    if (origin && new URL(response.url).origin !== origin) throw new AcquireError(t('acquireRefused', 'redirected'));
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > MAX_FETCH_BYTES) throw tooLarge();
    // Counted as it comes: a server that declares no length (or a false one) cannot make the
    // background hold more than the limit.
    const parts: Uint8Array[] = [];
    let length = 0;
    const reader = response.body?.getReader();
    try {
      for (;;) {
        const chunk = reader ? await reader.read() : undefined;
        if (!chunk || chunk.done) break;
        const value = chunk.value;
        watch();
        length += value.length;
        if (length > MAX_FETCH_BYTES) {
          abort.abort();
          throw tooLarge();
        }
        parts.push(value);
      }
    } catch (e) {
      throw failed(e);
    }
    return { parts, length };
  } finally {
    clearTimeout(timer);
    // A refusal, or a length over the limit, leaves the connection open otherwise.
    abort.abort();
  }
}

export async function acquire(source: ImageSource): Promise<Acquired> {
  const reply = await ask(source);
  const url = reply?.url ?? source.srcUrl;
  if (reply?.error) throw new AcquireError(t('acquireFromPage', reply.error));
  if (reply?.tooLarge) throw new AcquireError(t('acquireTooLarge'));
  if (reply?.file instanceof Blob) {
    // The same limit as a download's (the content script refuses one that states its size).
    if (reply.file.size > MAX_FETCH_BYTES) throw new AcquireError(t('acquireTooLarge'));
    return { bytes: new Uint8Array(await reply.file.arrayBuffer()), url, ...(reply.redrawn ? { redrawn: true } : {}) };
  }
  // The browser left the address out: only the page's content script reads such an image (a
  // data: one, content/main.ts); no address the page names is fetched for it.
  if (!url || !source.srcUrl) throw new AcquireError(t('acquireUnnamed'));
  if (url.startsWith('blob:')) throw new AcquireError(t('acquireBlob'));
  if (!/^(https?|data|file):/.test(url)) throw new AcquireError(t('acquireAddress'));
  // A file of the user's only for a page that is itself a file: a web site's page cannot
  // show one, and naming one must not let it learn through the menu whether it exists.
  // Both: the image shown is read when a larger candidate fails (largerOrShown).
  const fileOfTheUser = [url, source.srcUrl].some((address) => address.startsWith('file:'));
  if (fileOfTheUser && !source.pageUrl?.startsWith('file:')) throw new AcquireError(t('acquireAddress'));
  const read = (address: string, candidate: boolean) => fetchBytes(address, rulesFor(source, candidate ? 'omit' : 'include'));
  const { value: bytes, url: readFrom } = await largerOrShown(url, source.srcUrl, read, async (bytes) => bytes);
  return { bytes, url: readFrom };
}

/**
 * A larger srcset candidate `url` (same site as the image shown: best-source.ts), read by
 * `read` as a candidate (without cookies: a page names those), if it is an image Traceless
 * reads; else, as when the site wants cookies for it or answers with a "not found" page sent
 * as 200, the image the browser showed, `srcUrl`, whose failure is the one thrown. Shared by
 * the background and, in Firefox private windows, the content script (content/main.ts).
 */
export async function largerOrShown<T>(
  url: string,
  srcUrl: string,
  read: (address: string, candidate: boolean) => Promise<T>,
  head: (value: T) => Promise<Uint8Array>,
): Promise<{ value: T; url: string }> {
  if (url !== srcUrl) {
    try {
      const value = await read(url, true);
      if (hasEngineImageMagic(await head(value))) return { value, url };
    } catch {
      // The image shown instead.
    }
  }
  return { value: await read(srcUrl, false), url: srcUrl };
}
