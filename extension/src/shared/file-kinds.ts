// Which files the guard and the converter clean: images and videos, by type,
// name or content. A photo's metadata does not go away because it was renamed
// photo.dat, so a file that claims to be something else is still sniffed.

/** Types and names worth a look: the engine decides by content, this only spares other files. */
// Camera raw files too: the engine cleans none, so they are held back with a notice rather
// than passed with their serial numbers and positions (a browser gives most no type).
const IMAGE_NAME =
  /\.(jpe?g|jpe|jfif|png|apng|webp|gif|heic|heif|heics|heifs|avif|avifs|tiff?|bmp|jxl|dng|cr2|cr3|crw|nef|nrw|arw|srf|sr2|orf|rw2|raf|pef|srw|x3f|3fr|mrw|erf|kdc|dcr|rwl|iiq)$/i;

export function looksLikeImage(file: File): boolean {
  return file.type.startsWith('image/') || IMAGE_NAME.test(file.name);
}

const ISOBMFF_IMAGE_BRANDS = new Set(['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis']);

const bytesAt = (head: Uint8Array) => (offset: number, ...bytes: number[]) => bytes.every((b, i) => head[offset + i] === b);
const textAt = (head: Uint8Array) => (offset: number, length: number) => String.fromCharCode(...head.subarray(offset, offset + length));

/** Whether the first bytes are those of a format the engine reads: JPEG, PNG, GIF, WebP, HEIF/AVIF. */
export function hasEngineImageMagic(head: Uint8Array): boolean {
  const [at, text] = [bytesAt(head), textAt(head)];
  return (
    at(0, 0xff, 0xd8, 0xff) || // JPEG
    at(0, 0x89, 0x50, 0x4e, 0x47) || // PNG
    text(0, 4) === 'GIF8' ||
    (text(0, 4) === 'RIFF' && text(8, 4) === 'WEBP') ||
    (text(4, 4) === 'ftyp' && ISOBMFF_IMAGE_BRANDS.has(text(8, 4)))
  );
}

/** Whether the first bytes are those of an image format (any the engine knows, or refuses by name). */
export function hasImageMagic(head: Uint8Array): boolean {
  const at = bytesAt(head);
  return (
    hasEngineImageMagic(head) ||
    at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a) || // TIFF (and DNG, NEF, CR2, ARW)
    at(0, 0xff, 0x0a) || at(0, 0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20) || // JPEG XL
    isRaw(head)
  );
}

/** Camera raw files that are not TIFF-shaped: Olympus ORF, Panasonic RW2, Fujifilm RAF, Canon CR3. */
function isRaw(head: Uint8Array): boolean {
  const [at, text] = [bytesAt(head), textAt(head)];
  return (
    text(0, 4) === 'IIRO' || text(0, 4) === 'IIRS' || text(0, 4) === 'MMOR' || // ORF
    at(0, 0x49, 0x49, 0x55, 0x00) || // RW2
    text(0, 8) === 'FUJIFILM' || // RAF
    (text(4, 4) === 'ftyp' && text(8, 4) === 'crx ') // CR3, ISO boxes but no video
  );
}

/** An ISO file's brands (major, then compatible), from its `ftyp`. */
function brands(bytes: Uint8Array): string[] {
  if (bytes.length < 16 || String.fromCharCode(...bytes.subarray(4, 8)) !== 'ftyp') return [];
  const size = Math.min(bytes.length, 256, new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0));
  return [8, ...Array.from({ length: Math.max(0, Math.floor((size - 16) / 4)) }, (_, i) => 16 + i * 4)]
    .map((at) => String.fromCharCode(...bytes.subarray(at, at + 4)));
}

/** An AVIF still image by its brands (the engine's own checks decide; this only picks a decoder). */
export function isAvif(bytes: Uint8Array): boolean {
  return brands(bytes).includes('avif');
}

/** An image sequence (animated AVIF, HEIF `msf1`) by its brands: a routing hint, as `isAvif`. */
export function isImageSequence(bytes: Uint8Array): boolean {
  const list = brands(bytes);
  return list.includes('avis') || list.includes('msf1');
}

/** A HEIC/HEIF still image by its brands: no browser shows one. */
export function isHeic(bytes: Uint8Array): boolean {
  const list = brands(bytes);
  return !list.includes('avif') && !list.includes('avis') && list.some((b) => ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx'].includes(b));
}

const VIDEO_NAME = /\.(mp4|m4v|mov|qt|3gp|3g2|webm|mkv|avi)$/i;

/** By its name alone (a file that cannot be opened has nothing else): an image or a video. */
export function nameLooksLikeMedia(name: string): boolean {
  return IMAGE_NAME.test(name) || VIDEO_NAME.test(name);
}

export function looksLikeVideo(file: File): boolean {
  return file.type.startsWith('video/') || VIDEO_NAME.test(file.name);
}

/**
 * An ISO media file that is not a still image (MP4, MOV, 3GP, and anything else in
 * ISO boxes), or a QuickTime file without `ftyp`. The engine decides what it is; one it
 * does not recognise is held back like any video it cannot clean.
 */
export function hasVideoMagic(head: Uint8Array): boolean {
  const text = (offset: number, length: number) => String.fromCharCode(...head.subarray(offset, offset + length));
  if (text(4, 4) === 'ftyp') return !ISOBMFF_IMAGE_BRANDS.has(text(8, 4)) && !isRaw(head);
  return ['moov', 'mdat', 'wide', 'pnot'].includes(text(4, 4));
}

/**
 * `video`: cleaned by the video cleaner, never read whole; `image`: by the engine;
 * `other`: passed untouched. The content decides first, then the type and name.
 */
export type FileKind = 'image' | 'video' | 'other';

export async function kindOf(file: File): Promise<FileKind> {
  const head = await readHead(file, 16);
  if (hasVideoMagic(head)) return 'video';
  if (looksLikeImage(file) || hasImageMagic(head)) return 'image';
  return looksLikeVideo(file) ? 'video' : 'other';
}

/**
 * The first bytes of a page's file, read without a promise of the page's realm: in
 * Firefox a content script's `blob.arrayBuffer()` resolves there, where a page's
 * `Object.prototype.then` getter sees the buffer (tests/e2e/hostile/then-getter.html).
 * A FileReader calls only its own listeners, and they are ours.
 */
function readHead(file: Blob, length: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    // Firefox hands content scripts a page-side buffer: copied into our own array here.
    reader.onload = () => resolve(new Uint8Array(new Uint8Array(reader.result as ArrayBuffer)));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsArrayBuffer(file.slice(0, length));
  });
}

/**
 * An animated GIF, APNG or WebP, from its structure: such files are converted by
 * the converter module (the image module has no animation encoder). Only a
 * routing hint: the engine parses the file itself and decides.
 */
export function isAnimated(bytes: Uint8Array): boolean {
  const text = (offset: number, length: number) => String.fromCharCode(...bytes.subarray(offset, offset + length));
  if (text(0, 4) === 'RIFF' && text(8, 4) === 'WEBP') return text(12, 4) === 'VP8X' && (bytes[20] & 0x02) !== 0;
  if (text(0, 4) === 'GIF8') return gifFrames(bytes) > 1;
  if (bytes[0] === 0x89 && text(1, 3) === 'PNG') return pngHasAnimationControl(bytes);
  return false;
}

/** Image descriptors in a GIF, counted up to 2 (sub-blocks skipped, nothing decoded). */
function gifFrames(bytes: Uint8Array): number {
  let at = 13 + (bytes[10] & 0x80 ? 3 << ((bytes[10] & 7) + 1) : 0);
  const skipSubBlocks = () => {
    while (at < bytes.length && bytes[at] !== 0) at += bytes[at] + 1;
    at += 1;
  };
  let frames = 0;
  while (at < bytes.length && frames < 2) {
    const block = bytes[at];
    if (block === 0x21) {
      at += 2;
      skipSubBlocks();
    } else if (block === 0x2c) {
      frames += 1;
      const packed = bytes[at + 9];
      at += 10 + (packed & 0x80 ? 3 << ((packed & 7) + 1) : 0) + 1;
      skipSubBlocks();
    } else {
      break;
    }
  }
  return frames;
}

/** An `acTL` chunk before the image data: an APNG. */
function pngHasAnimationControl(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 8 <= bytes.length; ) {
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'acTL') return true;
    if (type === 'IDAT') return false;
    at += 12 + view.getUint32(at);
  }
  return false;
}
