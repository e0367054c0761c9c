// File names for saved images: the original's base name, a suffix saying what
// was done, and the extension of the format actually written.
import type { Format } from '../engine/types';

const EXTENSION: Record<Format, string> = {
  jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif', heif: 'heic', avif: 'avif', mp4: 'mp4', mov: 'mov',
};
const FALLBACK = 'image';
// Characters Windows, macOS or Linux refuse in names, and controls.
const UNSAFE = /[\u0000-\u001f\u007f<>:"/\\|?*]+/g;
/**
 * Invisible format characters (Unicode Cf): Chromium and Firefox refuse a download named
 * with any ("Invalid filename", "filename must not contain illegal characters"; measured
 * 2026-12-05 with the zero-width non-joiner, the joiner, bidi marks and overrides, the soft
 * hyphen and the byte-order mark). The zero-width non-joiner is an everyday letter of Persian
 * names. They are dropped (the name reads the same), as are controls (Cc).
 */
const REFUSED_IN_DOWNLOADS = /[\p{Cc}\p{Cf}]/gu;

/**
 * What may not begin a part of a downloaded file's path: a dot or a space (hidden, or
 * trimmed), and a tilde, which both browsers refuse ("~me.png": Chromium "Invalid filename",
 * Firefox "must not be an absolute path"; Chromium also for "trip/~x.png"; measured
 * 2026-12-06). A URL ending in /~me.png named the menu's copy so.
 */
const REFUSED_AT_START = /^[.\s~]+/;

/** `name` (a path with / between folders) as the downloads API accepts it: the same, less what it refuses. */
export function downloadName(name: string): string {
  const parts = name.replace(REFUSED_IN_DOWNLOADS, '').split('/');
  const last = parts.pop() ?? '';
  const folders = parts.map((part) => part.replace(REFUSED_AT_START, '') || '_');
  const dot = last.lastIndexOf('.');
  const stem = dot >= 0 ? last.slice(0, dot) : last;
  const extension = dot >= 0 ? last.slice(dot) : '';
  return [...folders, `${stem.replace(REFUSED_AT_START, '') || FALLBACK}${extension}`].join('/');
}

/** "IMG_2041" for https://x/photos/IMG_2041.JPG?size=large; "image" when the URL names nothing. */
export function baseName(url: string): string {
  let path: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return FALLBACK;
    path = parsed.pathname;
  } catch {
    return FALLBACK;
  }
  let last = path.slice(path.lastIndexOf('/') + 1);
  try {
    last = decodeURIComponent(last);
  } catch {
    // A malformed escape: keep the raw segment.
  }
  // An encoded slash must not smuggle a path in: keep what follows the last one.
  last = last.slice(Math.max(last.lastIndexOf('/'), last.lastIndexOf('\\')) + 1);
  const dot = last.lastIndexOf('.');
  const stem = (dot > 0 ? last.slice(0, dot) : last).replace(UNSAFE, '_').replace(/^[.\s]+|[.\s]+$/g, '');
  return stem.slice(0, 120) || FALLBACK;
}

export function outputName(url: string, suffix: string, format: Format): string {
  return `${baseName(url)}${suffix}.${EXTENSION[format]}`;
}

const SPELLINGS: Record<Format, readonly string[]> = {
  jpeg: ['jpg', 'jpeg', 'jpe', 'jfif'],
  png: ['png', 'apng'],
  webp: ['webp'],
  gif: ['gif'],
  // With their image sequences' spellings: an animated AVIF cleaned keeps ".avifs"
  // (Chromium's downloads may still name it by its type, image/avif).
  heif: ['heic', 'heif', 'hif', 'heics', 'heifs'],
  avif: ['avif', 'avifs'],
  mp4: ['mp4', 'm4v', '3gp', '3g2'],
  mov: ['mov', 'qt'],
};

/**
 * A file's name for its converted copy in `format`: "IMG_1.JPG" stays "IMG_1.JPG" when it is
 * still a JPEG, and becomes "IMG_1.webp" as a WebP. Folders in a relative path are kept.
 * Characters another system refuses are replaced in every part, also when the extension
 * stays ("12:06.jpg", a valid name on Linux and macOS, cannot be saved or unzipped on
 * Windows, and Chromium refuses to download it).
 */
export function renamed(fileName: string, format: Format): string {
  const slash = fileName.lastIndexOf('/') + 1;
  const folder = fileName
    .slice(0, slash)
    .split('/')
    .map((part) => part.replace(UNSAFE, '_'))
    .join('/');
  const last = fileName.slice(slash);
  const dot = last.lastIndexOf('.');
  const extension = dot > 0 ? last.slice(dot + 1).toLowerCase() : '';
  if (SPELLINGS[format].includes(extension)) return `${folder}${last.replace(UNSAFE, '_')}`;
  const stem = (dot > 0 ? last.slice(0, dot) : last).replace(UNSAFE, '_') || FALLBACK;
  return `${folder}${stem}.${EXTENSION[format]}`;
}

// Dates and times as cameras, phones and apps write them into file names. A year is
// 19xx or 20xx, so that a counter such as IMG_1234 is left alone.
const YEAR = '(?:19|20)\\d\\d';
const MONTH = '(?:0[1-9]|1[0-2])';
const DAY = '(?:0[1-9]|[12]\\d|3[01])';
/**
 * 20240612; 2024-06-12 (one separator twice); 12.06.2024 or 6-12-2024 (day or month
 * first: either is a date; no space, and not inside a word or a version, v1.10.2023).
 */
const DATE = `(?:${YEAR}${MONTH}${DAY}|${YEAR}(?<ymd>[-_. ])${MONTH}\\k<ymd>${DAY}|(?<![\\p{L}\\d.])\\d{1,2}(?<dmy>[-_.])\\d{1,2}\\k<dmy>${YEAR})`;
/**
 * 093512, 093512345 (Pixel), 09.35.12, 9.35.12 PM (macOS, with its narrow space),
 * 09-35-12-345, 09h35, with a time zone (+0200, Z). What follows a time stays when it
 * runs on into a word (the _4f3e2a1b after a WhatsApp time, an "amsterdam").
 */
const TIME = `(?:\\d{6}(?:\\d{3})?|\\d{1,2}[-_.:h]\\d{2}(?:[-_.:m]\\d{2})?(?:[-_.,]\\d{1,3}(?![\\p{L}\\d]))?)(?:[ \\u202f]?[AaPp]\\.?[Mm]\\.?(?!\\p{L}))?(?:Z|[+-]\\d{2}:?\\d{2})?`;
/**
 * Between a date and its time: a separator, ISO's T, or a word or two ("at", "um",
 * "à", "a las", "в", "下午": screenshot names in many languages).
 */
const JOIN = `(?:[-_. T]|[ _]\\p{L}{1,5}(?: \\p{L}{1,5})?\\.?[ _]?)`;
/** Unix times in seconds or milliseconds from 2001 to 2033, as web apps name saved images. */
const UNIX_TIME = '1\\d{9}(?:\\d{3})?';
// A stamp takes the separators before it, so that IMG-20240612-WA0001 keeps one.
const STAMP = new RegExp(`[-_. ]*(?<!\\d)(?:${DATE}(?:${JOIN}?${TIME})?|${UNIX_TIME})(?!\\d)`, 'gu');
const EDGE_SEPARATORS = /^[-_. ]+|[-_. ]+$/g;

/** Six random letters and digits: a name's stamp is replaced by one, so that names stay apart. */
export function nameToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.getRandomValues(new Uint8Array(6)), (byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * `fileName` without the dates and times in it: a phone names a photo after the moment
 * it was taken. The first stamp becomes `token` (random by default), the others go:
 * PXL_20240612_093512345.jpg becomes PXL_k3f9x2.jpg, "Screenshot 2024-06-12 at
 * 09.35.12.png" becomes "Screenshot k3f9x2.png", 20240612_093512.jpg image_k3f9x2.jpg.
 * A token rather than nothing: photos uploaded one at a time must not all be PXL.jpg
 * to a site that stores files by name. A name without a stamp is returned as it is.
 * Hand-written rather than a library's: no maintained package knows camera naming;
 * the patterns are unit-tested (extension/test/units.test.ts).
 */
export function undatedName(fileName: string, token = nameToken()): string {
  const slash = fileName.lastIndexOf('/') + 1;
  const last = fileName.slice(slash);
  const dot = last.lastIndexOf('.');
  const stem = dot > 0 ? last.slice(0, dot) : last;
  const rest = stem.replace(STAMP, '').replace(EDGE_SEPARATORS, '');
  if (rest === stem) return fileName;
  let first = true;
  const kept = rest
    ? stem
        // The offset follows the groups' values: the first number among the arguments.
        .replace(STAMP, (stamp: string, ...after: unknown[]) => {
          const offset = after.find((value) => typeof value === 'number') as number;
          if (!first) return '';
          first = false;
          const separator = stamp.match(/^[-_. ]/)?.[0] ?? (offset > 0 ? '_' : '');
          return `${separator}${token}`;
        })
        .replace(EDGE_SEPARATORS, '')
    : `${FALLBACK}_${token}`;
  const extension = dot > 0 ? last.slice(dot) : '';
  return `${fileName.slice(0, slash)}${kept}${extension}`;
}

/**
 * `name` (a path, "holiday/PXL.jpg", for a file in a chosen folder), or `name` with "-2",
 * "-3"… before its extension, whichever is not in `taken` (compared without case, as
 * Windows and macOS file systems do); the answer is added to `taken`.
 */
export function freeName(name: string, taken: Set<string>): string {
  const dot = name.lastIndexOf('.');
  const end = dot > name.lastIndexOf('/') + 1 ? dot : name.length;
  const stem = name.slice(0, end);
  const extension = name.slice(end);
  let candidate = name;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}${extension}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}
