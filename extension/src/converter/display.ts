// What the comparison shows as "before" for an image the browser cannot show (a HEIC;
// an AVIF its AV1 decoder refuses): a BMP of it made by the engine (lossless, sRGB,
// made for speed rather than size), once per item, by a worker of its own (for a HEIC,
// a second one sharing the decode: see split-decode.ts), ended as soon as the copy is
// made. Other images are shown as they are.
//
// The engine decodes the image for that copy, and decoding is much of the time its
// conversion takes: the pixels of the file shown last are kept, and converting it (the
// batch, the live estimate) starts from them. Its thumbnail is drawn from the copy
// (thumbnail.ts), rather than from a decode of its own.
import { isEngineStopped } from '../engine/trap';
import { type Preload, WorkerEngine } from '../engine/worker-client';
import type { ConvertOptions, ConvertReport, Decoded, Joined, Output, PixelEngine } from '../engine/types';
import { isAvif, isHeic } from '../shared/file-kinds';
import { decodeInTwo, type Decoder } from './split-decode';
import { convertInTwo, type Helper } from './split-encode';

/**
 * What makes the copy: an engine worker, ended after its calls (two share a HEIC's decode),
 * compiling `preload` from the start.
 */
export type CopyMaker = (preload: Preload) => Decoder & Pick<PixelEngine, 'screenPicture'> & { terminate(): void };

/**
 * The copies asked for, the latest last; `blob` once made. A copy is a full-size BMP
 * (36-48 MB for a 12 MP photo): only the last few are kept, and one looked at again
 * after that is made again. Kept all (with each one's pixels), twenty-four HEICs looked
 * at in turn held 2.5 GB (bench/heic-browse.mjs).
 */
type Copy = { copy: Promise<Blob | undefined>; blob?: Blob };
const made = new Map<Blob, Copy>();
const KEPT_COPIES = 3;

/**
 * The pixels of the copy made last. One file's only: a 12 MP photo's are 48 MB,
 * and copies are made for the item the comparison shows.
 */
let kept: { file: File; decoded: Decoded } | undefined;
/** Copies are numbered as asked for: an older one that ends later is not kept. */
let lastAsked = 0;
/** Files that left the list: a copy of one that ends afterwards keeps nothing. */
const gone = new WeakSet<File>();
/**
 * Copies' decodes, by file, from the moment the copy is asked for (never rejected):
 * converting the file, or drawing its thumbnail, meanwhile waits for their pixels.
 */
const decoding = new WeakMap<Blob, Promise<unknown>>();

/**
 * An image decoded for its copy, and the worker that will make the picture of it (`shown`:
 * the picture already made, by the workers that shared the decode).
 */
type ForCopy = { bytes: Uint8Array; engine: ReturnType<CopyMaker>; pixels: Decoded; shown?: Uint8Array };

/** The picture to show for `file`: itself, or a BMP the engine made of it. */
export function displayable(file: File, maker: CopyMaker = (preload) => new WorkerEngine({ giveInput: true, preload })): Promise<Blob | undefined> {
  let entry = made.get(file);
  if (entry) made.delete(file);
  else {
    const decoded = decodeForCopy(file, maker);
    // Settles with nothing: what it resolves to holds the pixels, which `kept` alone keeps (one file's).
    decoding.set(file, decoded.then(() => undefined, () => undefined));
    const copy = decoded.then((it) => (it ? picture(it) : file)).catch(() => undefined);
    const fresh: Copy = { copy };
    void copy.then((blob) => (fresh.blob = blob));
    entry = fresh;
  }
  made.set(file, entry);
  for (const old of made.keys()) {
    if (made.size <= KEPT_COPIES) break;
    made.delete(old);
  }
  return entry.copy;
}

/** The copy of `file` being made or made, if one was asked for (and is still kept). */
export function copyOf(file: Blob): Promise<Blob | undefined> | undefined {
  return made.get(file)?.copy;
}

/** The copy of `file`, if it is made and still kept. */
export function madeCopy(file: Blob): Blob | undefined {
  return made.get(file)?.blob;
}

/** `file`'s pixels once the decode for its copy (if one is under way) ends, if they are kept. */
export async function pixelsFor(file: Blob): Promise<Decoded | undefined> {
  await decoding.get(file);
  return decodedPixels(file);
}

/** `file`'s pixels, if they were decoded for its copy and are still kept. */
export function decodedPixels(file: Blob): Decoded | undefined {
  return kept?.file === file ? kept.decoded : undefined;
}

/** Lets the kept pixels go when their file leaves the list. */
export function forget(file: File): void {
  gone.add(file);
  made.delete(file);
  if (kept?.file === file) kept = undefined;
}

/**
 * Converts `file` from its kept pixels when there are some, else from its bytes; with
 * `helper`, a second worker to share a large JPEG's encode. Pixels that the engine
 * refuses (short of its stopping) are not the last word: the file is converted afresh,
 * which reports its own errors.
 */
export async function convertKept(
  engine: PixelEngine,
  file: File,
  bytes: Uint8Array,
  options: ConvertOptions,
  helper?: Helper,
): Promise<Output<ConvertReport>> {
  const convert = (input: Uint8Array, decoded?: Decoded) =>
    helper ? convertInTwo(engine, helper, input, options, decoded) : engine.convert(input, options, decoded);
  // A copy of this file being made is decoding it now: its pixels come sooner than those
  // of a second decode, which would also take the machine from the first.
  const decoded = await pixelsFor(file);
  if (!decoded) return convert(bytes);
  try {
    // A copy: an engine that is given its input would take these bytes away.
    return await convert(bytes.slice(), decoded);
  } catch (e) {
    if (isEngineStopped(e)) throw e;
    return convert(bytes);
  }
}

/** Which engine-made copy a file needs to be shown, by file (asked once: an AVIF's answer may cost a decode). */
const copyKinds = new WeakMap<Blob, Promise<CopyKind>>();
type CopyKind = 'heic' | 'avif' | undefined;

/** Whether the browser decoded a file when something asked it to (the list's thumbnail), by file. */
const browserDecoded = new WeakMap<Blob, boolean>();

/** Records what the browser made of `file` when asked to decode it, so that it is not asked again here. */
export function noteBrowserDecode(file: Blob, decoded: boolean): void {
  browserDecoded.set(file, decoded);
}

/** Whether `file` needs an engine-made copy to be shown: no browser shows HEIC, nor every AVIF. */
export async function needsCopy(file: Blob): Promise<boolean> {
  return (await copyKind(file)) !== undefined;
}

function copyKind(file: Blob): Promise<CopyKind> {
  let kind = copyKinds.get(file);
  if (!kind) {
    kind = (async (): Promise<CopyKind> => {
      let head: Uint8Array;
      try {
        head = new Uint8Array(await file.slice(0, 256).arrayBuffer());
      } catch {
        // Unreadable (gone from the disk): it is shown as it is, and fails as it is.
        return undefined;
      }
      if (isHeic(head)) return 'heic';
      if (!isAvif(head)) return undefined;
      return (await browserDecodes(file)) ? undefined : 'avif';
    })();
    copyKinds.set(file, kind);
  }
  return kind;
}

/** Whether the browser can decode `file`: known from its thumbnail, else asked (an <img> refuses what this does). */
async function browserDecodes(file: Blob): Promise<boolean> {
  const known = browserDecoded.get(file);
  if (known !== undefined) return known;
  try {
    // Decoded whole all the same (the one way to ask), but kept as one pixel.
    (await createImageBitmap(file, { resizeWidth: 1, resizeHeight: 1 })).close();
    return true;
  } catch {
    return false;
  }
}

/** `file` decoded (a HEIC by two workers when they can share it), its pixels kept; undefined if it needs no copy. */
async function decodeForCopy(file: File, maker: CopyMaker): Promise<ForCopy | undefined> {
  const kind = await copyKind(file);
  if (!kind) return undefined;
  const ticket = ++lastAsked;
  const bytes = new Uint8Array(await file.arrayBuffer());
  // An AVIF's worker loads the AVIF module (rav1d) for its first call, and decodes it alone:
  // the engine decodes an AV1 picture in one piece.
  const engine = maker(kind === 'heic' ? 'converter' : 'none');
  try {
    const decoded: Decoded & Partial<Joined> =
      kind === 'heic' ? await decodeInTwo(engine, () => maker('converter'), bytes) : await engine.decodeUpright(bytes.slice());
    // Only the pixels are kept with the file: the picture goes to the page, once.
    const { rgba, width, height } = decoded;
    const pixels: Decoded = { rgba, width, height };
    if (ticket === lastAsked && !gone.has(file)) kept = { file, decoded: pixels };
    return { bytes, engine, pixels, shown: decoded.picture };
  } catch (e) {
    engine.terminate();
    throw e;
  }
}

/** The picture to show of a decoded image (the pixels first: converting it need not wait for this). */
async function picture({ bytes, engine, pixels, shown }: ForCopy): Promise<Blob> {
  try {
    const bmp = shown ?? (await engine.screenPicture(bytes, pixels));
    return new Blob([bmp as BlobPart], { type: 'image/bmp' });
  } finally {
    engine.terminate();
  }
}
