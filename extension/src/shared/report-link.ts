// The "what this image reveals" page is opened for an image kept in storage.session and
// named in the page's address by a random id. Never the image's address itself: an
// extension page's address goes into the browser's history, which Chromium syncs to the
// user's account when history sync is on, and a data: image there carries its metadata
// (an address, a signed link, a file's path: each would leave the machine). A restored
// tab finds nothing either (storage.session ends with the browser), so nothing is fetched
// again unasked.
import { ext } from './ext';
import type { ImageSource } from './messages';

const STORED = 'stored=';
const PREFIX = 'report:';
/**
 * Report pages whose image stays readable (a reload, a second report opened before the
 * first has read its own); older ones go as new ones come. A private window's goes once read.
 */
const KEEP = 8;

/** Anything (a stored value) as an image source, or undefined. */
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

/** The report page's address for `source`, which is stored first. */
export async function reportPageAddress(source: ImageSource): Promise<string> {
  const { srcUrl, pageUrl, tabId, frameId, incognito } = source;
  const stored = { srcUrl, pageUrl, tabId, frameId, ...(incognito ? { incognito } : {}) };
  // Ids sort by the time they were made: the oldest go first.
  const id = `${Date.now().toString(36).padStart(10, '0')}-${crypto.randomUUID()}`;
  const older = Object.keys(await ext.storage.session.get(null))
    .filter((key) => key.startsWith(PREFIX))
    .sort();
  const gone = older.slice(0, Math.max(0, older.length - (KEEP - 1)));
  if (gone.length) await ext.storage.session.remove(gone);
  try {
    await ext.storage.session.set({ [`${PREFIX}${id}`]: stored });
  } catch {
    // Out of room (data: images of megabytes each): the others' images give way.
    await ext.storage.session.remove(older);
    await ext.storage.session.set({ [`${PREFIX}${id}`]: stored });
  }
  return `/report.html#${STORED}${id}`;
}

/** The source the report page was opened for. */
export async function reportSource(hash: string): Promise<ImageSource | undefined> {
  const raw = hash.replace(/^#/, '');
  if (!raw.startsWith(STORED)) return undefined;
  const key = `${PREFIX}${raw.slice(STORED.length)}`;
  const source = asSource((await ext.storage.session.get(key))[key]);
  // A private window's image is not kept past its reading: Firefox's storage.session outlives
  // the private windows (one background serves all). Such a report is not reloaded.
  if (source?.incognito) await ext.storage.session.remove(key);
  return source;
}
