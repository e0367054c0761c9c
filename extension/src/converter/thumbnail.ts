// Small previews for the list, decoded by the browser (fast, upright, local)
// one at a time: fifty 12-megapixel decodes at once would hold 2.4 GB. A HEIC,
// which no browser shows, is drawn from a small JPEG the engine makes of it, in
// a worker of its own that ends when no thumbnail is waiting. That costs a full
// decode, so it waits while a batch converts (a HEIC converted meanwhile is
// drawn from its copy instead: see `drawFromCopy`), and a HEIC being shown is
// drawn from the picture made to show it (display.ts), not decoded a second time.
import type { ConvertOptions } from '../engine/types';
import { WorkerEngine } from '../engine/worker-client';
import { isHeicFile } from '../shared/file-kinds';
import { copyOf } from './display';

const SIZE = 112;
/** A HEIC's thumbnail, made by the engine. */
const SMALL: ConvertOptions = { format: 'jpeg', quality: 70, maxWidth: SIZE, maxHeight: SIZE };
let queue: Promise<void> = Promise.resolve();
let heicQueue: Promise<void> = Promise.resolve();
let waiting = 0;
let engine: WorkerEngine | undefined;
let idle: () => Promise<void> = () => Promise.resolve();

/** Engine-made thumbnails wait for `until` (the batch being idle) before each decode. */
export function holdEngineThumbnails(until: () => Promise<void>): void {
  idle = until;
}

let stops = 0;

/** Ends the decode in progress, if any (a batch is starting): it is tried again once idle. */
export function stopEngineThumbnail(): void {
  if (!engine) return;
  stops++;
  engine.terminate();
  engine = undefined;
}

/** Draws `file` into `canvas`, scaled to fit; resolves false when it cannot be shown. */
export function drawThumbnail(file: Blob, canvas: HTMLCanvasElement): Promise<boolean> {
  const run = queue.then(async () => {
    let bitmap: ImageBitmap | undefined;
    try {
      bitmap = await createImageBitmap(file, { resizeWidth: SIZE, resizeQuality: 'medium' });
      draw(bitmap, canvas);
      return true;
    } catch {
      // The browser cannot show it. A HEIC goes to the engine, in a queue of its own, so
      // that one waiting for a batch to end holds back no other thumbnail.
      if (!(await isHeicFile(file))) return false;
      return 'heic' as const;
    } finally {
      bitmap?.close();
    }
  });
  queue = run.then(() => undefined);
  return run.then((outcome) => (outcome === 'heic' ? drawHeic(file, canvas) : outcome));
}

function drawHeic(file: Blob, canvas: HTMLCanvasElement): Promise<boolean> {
  waiting++;
  const run = heicQueue.then(async () => {
    let bitmap: ImageBitmap | undefined;
    try {
      bitmap = await engineBitmap(file, canvas);
      if (bitmap) draw(bitmap, canvas);
      return true;
    } catch {
      return false;
    } finally {
      bitmap?.close();
      if (--waiting === 0) {
        engine?.terminate();
        engine = undefined;
      }
    }
  });
  heicQueue = run.then(() => undefined);
  return run;
}

/** A thumbnail from an item's finished copy, when its own could not be drawn yet. */
export async function drawFromCopy(copy: Blob, canvas: HTMLCanvasElement): Promise<void> {
  // Once per canvas: rows are drawn again on every change.
  if (canvas.dataset.drawn || canvas.dataset.fromCopy) return;
  canvas.dataset.fromCopy = '1';
  try {
    const bitmap = await createImageBitmap(copy, { resizeWidth: SIZE, resizeQuality: 'medium' });
    draw(bitmap, canvas);
    bitmap.close();
    canvas.classList.remove('none');
  } catch {
    // A copy the browser cannot show either (none yet): the row keeps its blank.
  }
}

function draw(bitmap: ImageBitmap, canvas: HTMLCanvasElement): void {
  const scale = Math.min(SIZE / bitmap.width, SIZE / bitmap.height);
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  canvas.width = SIZE;
  canvas.height = SIZE;
  canvas.getContext('2d')!.drawImage(bitmap, (SIZE - w) / 2, (SIZE - h) / 2, w, h);
  canvas.dataset.drawn = '1';
}

/** The engine's picture of a HEIC, or undefined when the canvas was drawn meanwhile (from a copy). */
async function engineBitmap(file: Blob, canvas: HTMLCanvasElement): Promise<ImageBitmap | undefined> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  for (;;) {
    await idle();
    if (canvas.dataset.drawn) return undefined;
    const shown = await copyOf(file);
    if (shown) {
      try {
        return await createImageBitmap(shown, { resizeWidth: SIZE, resizeQuality: 'medium' });
      } catch {
        // A picture the browser cannot read after all: the engine makes the thumbnail.
      }
    }
    const worker = (engine ??= new WorkerEngine({ converter: true }));
    const stopped = stops;
    try {
      const small = await worker.convert(bytes, SMALL);
      return await createImageBitmap(new Blob([small.data as BlobPart], { type: 'image/jpeg' }));
    } catch (failure) {
      if (stops === stopped) throw failure;
    }
  }
}
