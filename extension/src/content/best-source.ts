// "Save what the user sees, at the best resolution available": of the sources an
// <img> or <picture> offers for the current conditions, the largest.
import { parseSrcset } from 'srcset';

/**
 * What the engine can read (AVIF since its cleaning and conversion came); <picture> sources of
 * other types (JPEG XL) are skipped.
 */
const READABLE = new Set(['image/jpeg', 'image/jpg', 'image/png', 'image/apng', 'image/webp', 'image/gif', 'image/avif']);

interface Candidate {
  url: string;
  width?: number;
  density?: number;
}

function candidates(srcset: string, base: string): Candidate[] {
  try {
    return parseSrcset(srcset).map((c) => ({ ...c, url: new URL(c.url, base).href }));
  } catch {
    return [];
  }
}

/** Width descriptors beat density ones, then the bigger wins. */
function largest(list: Candidate[]): Candidate | undefined {
  const score = (c: Candidate) => (c.width !== undefined ? 1e6 + c.width : (c.density ?? 1));
  return list.reduce<Candidate | undefined>((best, c) => (!best || score(c) > score(best) ? c : best), undefined);
}

/** The srcset the browser picks from for this <img>: the first matching <source>, else the img's own. */
function activeSet(img: HTMLImageElement): string | undefined {
  const picture = img.parentElement instanceof HTMLPictureElement ? img.parentElement : undefined;
  for (const source of picture ? Array.from(picture.querySelectorAll(':scope > source')) : []) {
    const media = source.getAttribute('media');
    const type = source.getAttribute('type');
    if (media && !matchMedia(media).matches) continue;
    if (type && !READABLE.has(type.toLowerCase())) continue;
    const srcset = source.getAttribute('srcset');
    if (srcset) return srcset;
  }
  return img.getAttribute('srcset') ?? undefined;
}

export function bestSource(img: HTMLImageElement | undefined, srcUrl: string): string {
  if (!img) return srcUrl;
  // The menu belongs to this element only if it shows the URL the browser reported.
  if (img.currentSrc !== srcUrl && img.src !== srcUrl) return srcUrl;
  // data: and blob: images have no better-resolution siblings worth a second look.
  if (/^(data|blob):/.test(srcUrl)) return srcUrl;
  const set = activeSet(img);
  const base = img.ownerDocument.baseURI;
  // From the origin of the image shown only: the extension fetches the one chosen, with the
  // user's cookies, and a page could otherwise list any URL with a huge width to have the
  // extension request it (a credentialed request to any site, and a sign it is installed).
  const origin = originOf(srcUrl);
  if (origin === undefined) return srcUrl;
  const list = (set ? candidates(set, base) : []).filter((c) => originOf(c.url) === origin);
  if (img.getAttribute('src') && originOf(img.src) === origin) list.push({ url: img.src, density: 1 });
  return largest(list)?.url ?? srcUrl;
}

/** Undefined for an address without an origin of its own ("null": data:, file:), which matches none. */
function originOf(url: string): string | undefined {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
