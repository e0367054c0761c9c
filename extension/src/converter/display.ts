// What the comparison shows as "before" for an image no browser can show (HEIC):
// a PNG of it made by the engine (lossless, sRGB, made for speed rather than size),
// once per item, in a worker of its own ended as soon as the copy is made. Other
// images are shown as they are.
//
// The engine decodes the HEIC for that copy, and decoding is most of the time a
// HEIC's conversion takes (1-1.5 s of about 2.5 s for a 12 MP iPhone photo): the
// pixels of the last one shown are kept, and converting it starts from them.
import { WorkerEngine } from '../engine/worker-client';
import type { Decoded } from '../engine/types';
import { isHeicFile } from '../shared/file-kinds';

const made = new WeakMap<File, Promise<Blob | undefined>>();

/**
 * The last copy's pixels. One file's only: a 12 MP photo's are 48 MB, and the
 * copy is made for the item the comparison shows, so a batch keeps one at a time.
 */
let kept: { file: File; decoded: Decoded } | undefined;

/** The picture to show for `file`: itself, or a PNG the engine made of it. */
export function displayable(file: File): Promise<Blob | undefined> {
  let copy = made.get(file);
  if (!copy) {
    copy = makeCopy(file).catch(() => undefined);
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
  if (kept?.file === file) kept = undefined;
}

/** Whether `file` needs an engine-made copy to be shown (no browser shows HEIC). */
export const needsCopy = isHeicFile;

async function makeCopy(file: File): Promise<Blob | undefined> {
  if (!(await needsCopy(file))) return file;
  const engine = new WorkerEngine({ giveInput: true });
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const { png, ...decoded } = await engine.decodeForScreen(bytes);
    kept = { file, decoded };
    return new Blob([png as BlobPart], { type: 'image/png' });
  } finally {
    engine.terminate();
  }
}
