// What the comparison shows as "before" for an image no browser can show (HEIC):
// a PNG of it made by the engine (lossless, sRGB, made for speed rather than size),
// once per item, in a worker of its own ended as soon as the copy is made. Other
// images are shown as they are.
//
// The engine decodes the HEIC for that copy, and decoding is much of the time a
// HEIC's conversion takes: the pixels of the file shown last are kept, and
// converting it (the batch, the live estimate) starts from them.
import { isEngineStopped } from '../engine/trap';
import { WorkerEngine } from '../engine/worker-client';
import type { ConvertOptions, ConvertReport, Decoded, Output, PixelEngine } from '../engine/types';
import { isHeicFile } from '../shared/file-kinds';
import { convertInTwo, type Helper } from './split-encode';

/** What makes the copy: an engine worker, ended after its one call. */
export type CopyMaker = () => Pick<PixelEngine, 'decodeUpright' | 'screenPicture'> & { terminate(): void };

const made = new WeakMap<File, Promise<Blob | undefined>>();

/**
 * The pixels of the copy made last. One file's only: a 12 MP photo's are 48 MB,
 * and copies are made for the item the comparison shows.
 */
let kept: { file: File; decoded: Decoded } | undefined;
/** Copies are numbered as asked for: an older one that ends later is not kept. */
let lastAsked = 0;
/** Files that left the list: a copy of one that ends afterwards keeps nothing. */
const gone = new WeakSet<File>();
/** Copies being made, by file: converting the file meanwhile waits for their pixels. */
const decoding = new WeakMap<File, Promise<unknown>>();

/** The picture to show for `file`: itself, or a PNG the engine made of it. */
export function displayable(file: File, maker: CopyMaker = () => new WorkerEngine({ giveInput: true, converter: true })): Promise<Blob | undefined> {
  let copy = made.get(file);
  if (!copy) {
    copy = makeCopy(file, maker).catch(() => undefined);
    made.set(file, copy);
  }
  return copy;
}

/** `file`'s pixels, if they were decoded for its copy and are still kept. */
export function decodedPixels(file: File): Decoded | undefined {
  return kept?.file === file ? kept.decoded : undefined;
}

/** Lets the kept pixels go when their file leaves the list. */
export function forget(file: File): void {
  gone.add(file);
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
  // of a second decode, which would also take half the machine from the first.
  await decoding.get(file)?.catch(() => undefined);
  const decoded = decodedPixels(file);
  if (!decoded) return convert(bytes);
  try {
    // A copy: an engine that is given its input would take these bytes away.
    return await convert(bytes.slice(), decoded);
  } catch (e) {
    if (isEngineStopped(e)) throw e;
    return convert(bytes);
  }
}

/** Whether `file` needs an engine-made copy to be shown (no browser shows HEIC). */
export const needsCopy = isHeicFile;

async function makeCopy(file: File, maker: CopyMaker): Promise<Blob | undefined> {
  if (!(await needsCopy(file))) return file;
  const ticket = ++lastAsked;
  const bytes = new Uint8Array(await file.arrayBuffer());
  const engine = maker();
  try {
    // The pixels first, then the picture from them: converting the file need not wait for the picture.
    const decoded = engine.decodeUpright(bytes.slice());
    decoding.set(file, decoded);
    const pixels = await decoded;
    if (ticket === lastAsked && !gone.has(file)) kept = { file, decoded: pixels };
    decoding.delete(file);
    const png = await engine.screenPicture(bytes, pixels);
    return new Blob([png as BlobPart], { type: 'image/png' });
  } finally {
    decoding.delete(file);
    engine.terminate();
  }
}
