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
