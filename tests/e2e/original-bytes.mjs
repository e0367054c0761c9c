// What a hostile page must never obtain: bytes of the test photo's metadata.
// hostile.test.mjs (automation's choosers and drops) and real-dialog.test.mjs (a
// person's file dialog) judge everything a page kept or uploaded by these.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpus, IMAGES } from './server.mjs';

/** The photo every attack is answered with: a camera JPEG with EXIF, GPS and XMP. */
export const PHOTO = join(corpus, IMAGES['photo.jpg']);
export const ORIGINAL = readFileSync(PHOTO);

/** The byte ranges of the original's APP1 segments (EXIF, XMP): what no page may obtain. */
function metadataRanges(jpeg) {
  const ranges = [];
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1];
    if (marker === 0xda) break; // start of scan: image data follows
    const length = jpeg.readUInt16BE(at + 2);
    if (marker === 0xe1) ranges.push([at + 4, at + 2 + length]);
    at += 2 + length;
  }
  return ranges;
}

/**
 * 32-byte windows of the original's metadata, every 32 bytes, that are distinctive:
 * not found anywhere else in the original (an embedded thumbnail repeats the
 * image's Huffman tables, which a cleaned copy keeps) and not runs of a few byte
 * values (padding). The first 64 bytes of a segment are skipped: a cleaned file's
 * fresh minimal EXIF (orientation) may share its header. Any window found in
 * anything a page obtained means bytes of the original's metadata reached it.
 */
const RANGES = metadataRanges(ORIGINAL);
const ELSEWHERE = Buffer.concat(
  RANGES.reduce((parts, [start, end], i) => {
    parts.push(ORIGINAL.subarray(i === 0 ? 0 : RANGES[i - 1][1], start));
    if (i === RANGES.length - 1) parts.push(ORIGINAL.subarray(end));
    return parts;
  }, []),
);
export const WINDOWS = RANGES.flatMap(([start, end]) => {
  const windows = [];
  for (let at = start + 64; at + 32 <= end; at += 32) {
    const window = ORIGINAL.subarray(at, at + 32);
    if (new Set(window).size > 8 && ELSEWHERE.indexOf(window) < 0) windows.push(window);
  }
  return windows;
});

/** How many of those windows `bytes` holds: 0 for anything that never held the original's metadata. */
export function originalBytesIn(bytes) {
  return WINDOWS.filter((w) => bytes.indexOf(w) >= 0).length;
}

/**
 * The original's first 16 bytes (the guard's sniff of its kind): a cleaned copy starts
 * differently (its EXIF segment is shorter), so any thing a page obtained holding them
 * held the original's bytes.
 */
export const HEAD = ORIGINAL.subarray(0, 16);
