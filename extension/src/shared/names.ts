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

/** `name` as the downloads API accepts it: the same, less what it refuses. */
export function downloadName(name: string): string {
  const kept = name.replace(REFUSED_IN_DOWNLOADS, '');
  const dot = kept.lastIndexOf('.');
  const stem = dot >= 0 ? kept.slice(0, dot) : kept;
  const extension = dot >= 0 ? kept.slice(dot) : '';
  return `${stem.replace(/^[.\s]+/, '') || FALLBACK}${extension}`;
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
 */
export function renamed(fileName: string, format: Format): string {
  const slash = fileName.lastIndexOf('/') + 1;
  const folder = fileName.slice(0, slash);
  const last = fileName.slice(slash);
  const dot = last.lastIndexOf('.');
  const extension = dot > 0 ? last.slice(dot + 1).toLowerCase() : '';
  if (SPELLINGS[format].includes(extension)) return fileName;
  const stem = (dot > 0 ? last.slice(0, dot) : last).replace(UNSAFE, '_') || FALLBACK;
  return `${folder}${stem}.${EXTENSION[format]}`;
}

// Dates and times as cameras, phones and apps write them into file names. A year is
// 19xx or 20xx, so that a counter such as IMG_1234 is left alone.
const YEAR = '(?:19|20)\\d\\d';
const MONTH = '(?:0[1-9]|1[0-2])';
const DAY = '(?:0[1-9]|[12]\\d|3[01])';
const SEP = '[-_. ]';
/** 20240612, 2024-06-12, 12.06.2024, 6-12-2024 (day or month first: either is a date). */
const DATE = `(?:${YEAR}${MONTH}${DAY}|${YEAR}${SEP}${MONTH}${SEP}${DAY}|\\d{1,2}${SEP}\\d{1,2}${SEP}${YEAR})`;
/** 093512, 093512345 (Pixel), 09.35.12, 9.35.12 PM (macOS, with its narrow space), 09-35-12-345, 09h35. */
const TIME = `(?:\\d{6}(?:\\d{3})?|\\d{1,2}[-_.:h]\\d{2}(?:[-_.:m]\\d{2})?(?:[-_.,]\\d{1,3})?)(?:[ \\u202f]?[AaPp]\\.?[Mm]\\.?)?`;
/** Between a date and its time: a separator, ISO's T, or "at" in the languages of screenshot names. */
const JOIN = `(?:[-_. T]|[ _](?:at|um|à|a las|às|alle|om|kl\\.?)[ _])`;
/** Unix times in seconds or milliseconds from 2001 to 2033, as web apps name saved images. */
const UNIX_TIME = '1\\d{9}(?:\\d{3})?';
// A stamp takes the separators before it, so IMG-20240612-WA0001 becomes IMG-WA0001.
const STAMP = new RegExp(`${SEP}*(?<!\\d)(?:${DATE}(?:${JOIN}?${TIME})?|${UNIX_TIME})(?!\\d)`, 'gu');
const EDGE_SEPARATORS = /^[-_. ]+|[-_. ]+$/g;

/**
 * `fileName` without the dates and times in it: a phone names a photo after the moment
 * it was taken (PXL_20240612_093512345.jpg becomes PXL.jpg, "Screenshot 2024-06-12 at
 * 09.35.12.png" becomes Screenshot.png, 20240612_093512.jpg becomes image.jpg). A name
 * without one is returned as it is. Hand-written rather than a library's: no maintained
 * package knows camera naming, and this is a dozen lines tested on the real patterns.
 */
export function undatedName(fileName: string): string {
  const slash = fileName.lastIndexOf('/') + 1;
  const last = fileName.slice(slash);
  const dot = last.lastIndexOf('.');
  const stem = dot > 0 ? last.slice(0, dot) : last;
  const kept = stem.replace(STAMP, '');
  if (kept === stem) return fileName;
  const extension = dot > 0 ? last.slice(dot) : '';
  return `${fileName.slice(0, slash)}${kept.replace(EDGE_SEPARATORS, '') || FALLBACK}${extension}`;
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
