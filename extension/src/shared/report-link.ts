// The "what this image reveals" page is addressed by the image it shows: in its
// address, or, for an image too large to go there (a data: URL of megabytes: Chromium
// opened no tab, Firefox failed), in storage.session, named in the address.
import { ext } from './ext';
import type { ImageSource } from './messages';

/** Far below both browsers' address limits (2 MB in Chromium; Firefox's is lower). */
const IN_ADDRESS = 32 * 1024;
const STORED = 'stored=';

export function reportPageUrl(source: ImageSource): string {
  return `/report.html#${encodeURIComponent(JSON.stringify(source))}`;
}

export function sourceFromHash(hash: string): ImageSource | undefined {
  try {
    return asSource(JSON.parse(decodeURIComponent(hash.replace(/^#/, ''))));
  } catch {
    return undefined;
  }
}

/** Anything (an address's JSON, a stored value) as an image source, or undefined. */
function asSource(found: unknown): ImageSource | undefined {
  const value = (typeof found === 'object' && found !== null ? found : {}) as Partial<Record<keyof ImageSource, unknown>>;
  if (typeof value.srcUrl !== 'string') return undefined;
  const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  return {
    srcUrl: value.srcUrl,
    pageUrl: typeof value.pageUrl === 'string' ? value.pageUrl : undefined,
    tabId: int(value.tabId),
    frameId: int(value.frameId),
    ...(value.incognito === true ? { incognito: true } : {}),
  };
}

/** The report page's address for `source`, storing it first when it is too long to go in the address. */
export async function reportPageAddress(source: ImageSource): Promise<string> {
  const url = reportPageUrl(source);
  if (url.length <= IN_ADDRESS) return url;
  // One at a time: an entry whose page never opened (its tab closed first) goes now.
  const kept = Object.keys(await ext.storage.session.get(null)).filter((key) => key.startsWith('report:'));
  if (kept.length) await ext.storage.session.remove(kept);
  const id = crypto.randomUUID();
  await ext.storage.session.set({ [`report:${id}`]: source });
  return `/report.html#${STORED}${id}`;
}

/** The source the report page was opened for (taken out of storage.session when it was put there). */
export async function reportSource(hash: string): Promise<ImageSource | undefined> {
  const raw = hash.replace(/^#/, '');
  if (!raw.startsWith(STORED)) return sourceFromHash(hash);
  const key = `report:${raw.slice(STORED.length)}`;
  const stored: unknown = (await ext.storage.session.get(key))[key];
  await ext.storage.session.remove(key);
  return asSource(stored);
}
