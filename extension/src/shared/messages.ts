// Messages between the extension's own contexts. Pages cannot send these:
// runtime/tabs messaging only reaches us from our own content scripts and pages,
// and every handler still checks the shape before acting.

/** The image a context-menu click was about. */
export interface ImageSource {
  /** What the browser reported (info.srcUrl); '' when it left it out: the image right-clicked in the frame. */
  srcUrl: string;
  /** The page or frame it was in, for naming and for messages. */
  pageUrl?: string;
  tabId?: number;
  frameId?: number;
  /** The window clicked in: the tab's, or, for a click outside any tab (a Firefox sidebar), the focused one. */
  windowId?: number;
  /** The tab is in a private (incognito) window: its image is read and saved as private browsing. */
  incognito?: boolean;
  /**
   * The image is in a frame of another origin than the tab's page (or one not known): the
   * page is another site's, so notices about the image are not drawn in it (notify.ts).
   */
  foreignFrame?: boolean;
  /**
   * The tab's page when the image was clicked (info.pageUrl): notices are for that page only.
   * A job may outlast it (a photo saved as AVIF takes a minute), and the next page the tab
   * shows, another site's, must not read what the user saved.
   */
  tabPage?: string;
}

/**
 * Whether two addresses are one page as far as notices go: the same origin (a page that
 * changed its address itself stays the page clicked), or, for pages without one (data:,
 * and file:, whose origin Chromium gives as "file://" for every file), the same address.
 */
export function samePage(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    const opaque = (u: URL) => u.origin === 'null' || u.protocol === 'file:';
    if (!opaque(x) && !opaque(y)) return x.origin === y.origin;
    x.hash = y.hash = '';
    return x.href === y.href;
  } catch {
    return false;
  }
}

/** Background or page -> content script. */
export type ContentRequest =
  /**
   * Which URL shows this image at its best resolution, and its bytes when only the page
   * can read them (blob: URLs). `broadcast`: sent to every frame because the frame is not
   * known; only the frame whose last right-clicked image shows `srcUrl` answers.
   */
  | { type: 'traceless:image'; srcUrl: string; broadcast: boolean }
  /**
   * `working`: long work under way (`elapsedMs` so far), said again within `refreshWithinMs`
   * while it goes on; a later notice with the same `key` replaces it with the outcome.
   */
  | { type: 'traceless:notice'; text: string; tone: 'info' | 'error' | 'working'; key?: string; elapsedMs?: number; refreshWithinMs?: number; page?: string };

/**
 * The most the menu reads of an image, from a site or from the page's frame: bigger than
 * any image the engine accepts (its limit is 100 MP decoded; files this large are not photos).
 */
export const MAX_FETCH_BYTES = 256 * 1024 * 1024;

/**
 * `file`: the image's bytes when only the page's frame can read them (a Blob crosses as a
 * handle: nothing is copied or encoded on the way). `redrawn`: the page had released its
 * file, and the picture it shows was drawn anew (a PNG). `tooLarge`: over MAX_FETCH_BYTES,
 * not read.
 */
export type ImageReply = { url: string; file?: Blob; error?: string; redrawn?: boolean; tooLarge?: boolean };

export function isContentRequest(value: unknown): value is ContentRequest {
  const v = value as { type?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.type === 'string' && v.type.startsWith('traceless:');
}

/** A converter page -> Firefox's background: save this file (see background/save.ts). */
/** `incognito`: the page asking is in a private window (Firefox files downloads in the normal history unless told). */
export type SaveRequest = { type: 'traceless:save'; blob: Blob; filename: string; incognito?: boolean };
/** `cancelled`: the person dismissed the "Save as" dialog. */
export type SaveReply = { id: number } | { error: string } | { cancelled: true };

/** Content script (a frame's guard) -> background: the site its tab shows; answered with an origin or null. */
export type TopSite = { type: 'traceless:top-site' };

export function isTopSiteRequest(value: unknown): value is TopSite {
  return (value as Partial<TopSite> | null)?.type === 'traceless:top-site';
}
