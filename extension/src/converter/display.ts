// What the comparison shows as "before" for an image no browser can show (HEIC):
// a lossless PNG of it made by the engine, once per item, in a worker of its own
// ended as soon as the copy is made. Other images are shown as they are.
import { WorkerEngine } from '../engine/worker-client';
import { isHeicFile } from '../shared/file-kinds';

const made = new WeakMap<File, Promise<Blob | undefined>>();

/** The picture to show for `file`: itself, or a PNG the engine made of it. */
export function displayable(file: File): Promise<Blob | undefined> {
  let copy = made.get(file);
  if (!copy) {
    copy = makeCopy(file).catch(() => undefined);
    made.set(file, copy);
  }
  return copy;
}

/** Whether `file` needs an engine-made copy to be shown (no browser shows HEIC). */
export const needsCopy = isHeicFile;

async function makeCopy(file: File): Promise<Blob | undefined> {
  if (!(await needsCopy(file))) return file;
  const engine = new WorkerEngine({ giveInput: true });
  try {
    // Fastest PNG: it is shown, never saved. Upright, in sRGB as the browser shows the copy.
    const png = await engine.convert(new Uint8Array(await file.arrayBuffer()), { format: 'png', pngLevel: 0, colour: 'converttosrgb' });
    return new Blob([png.data as BlobPart], { type: 'image/png' });
  } finally {
    engine.terminate();
  }
}
