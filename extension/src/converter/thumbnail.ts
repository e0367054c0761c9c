// Small previews for the list, decoded by the browser (fast, upright, local)
// one at a time: fifty 12-megapixel decodes at once would hold 2.4 GB. A HEIC,
// which no browser shows, is drawn from a small picture the engine makes of it, in
// a worker of its own that ends when no thumbnail is waiting: from the thumbnail the
// phone stored in it (an iPhone's, 240×320: milliseconds), at once; else from the
// photo decoded, which costs seconds, so that waits while a batch converts (a HEIC
// converted meanwhile is drawn from its copy instead: see `drawFromCopy`), and a
// HEIC being shown is drawn from the picture made to show it (display.ts), not
// decoded a second time.
import { WorkerEngine } from '../engine/worker-client';
import { MAX_IMAGE_BYTES } from '../engine/unreadable';
import { hasVideoMagic, isAvif, isHeic, looksLikeVideo } from '../shared/file-kinds';
import { copyOf, noteBrowserDecode } from './display';

const SIZE = 112;
let queue: Promise<void> = Promise.resolve();
let heicQueue: Promise<unknown> = Promise.resolve();
let storedQueue: Promise<unknown> = Promise.resolve();
let waiting = 0;
let storedWaiting = 0;
/** Decodes photos for their thumbnails; `storedEngine` reads the thumbnails files store. */
let engine: WorkerEngine | undefined;
let storedEngine: WorkerEngine | undefined;
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
    if (gone(canvas)) return false;
    let bitmap: ImageBitmap | undefined;
    try {
      // No image to show, and the browser would read all of it to find that out.
      if (!(await mayBeShown(file))) return false;
      bitmap = await createImageBitmap(file, { resizeWidth: SIZE, resizeQuality: 'medium' });
      noteBrowserDecode(file, true);
      draw(bitmap, canvas);
      return true;
    } catch {
      if (!bitmap) noteBrowserDecode(file, false);
      // The browser cannot show it. A HEIC, or an AVIF its decoder refuses, goes to the
      // engine, in a queue of its own, so that one waiting for a batch to end holds back
      // no other thumbnail. A file that cannot be read at all (changed or gone from the
      // disk) has no thumbnail, and its row says why.
      const head = await file
        .slice(0, 256)
        .arrayBuffer()
        .then((buffer) => new Uint8Array(buffer), () => new Uint8Array());
      return isHeic(head) ? ('heic' as const) : isAvif(head) ? ('avif' as const) : false;
    } finally {
      bitmap?.close();
    }
  });
  // Whatever became of this one, the next thumbnail is drawn.
  queue = run.then(() => undefined, () => undefined);
  return run.then((outcome) => (outcome === 'heic' || outcome === 'avif' ? drawHeic(file, canvas, outcome === 'heic') : outcome));
}

/** Not a video (by its first bytes, type or name) nor past the images' input limit. */
async function mayBeShown(file: Blob): Promise<boolean> {
  if (file.size > MAX_IMAGE_BYTES || (file instanceof File && looksLikeVideo(file))) return false;
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  return !hasVideoMagic(head);
}

/** `readsStored`: look for the thumbnail the file stores first (a HEIC's; the engine reads no AVIF's). */
function drawHeic(file: Blob, canvas: HTMLCanvasElement, readsStored: boolean): Promise<boolean> {
  waiting++;
  const stored = readsStored ? storedThumbnail(file, canvas) : Promise.resolve(undefined);
  const bitmap = stored.then((found) => {
    if (found) return found;
    const turn = heicQueue.then(() => decodedBitmap(file, canvas));
    heicQueue = turn.catch(() => undefined);
    return turn;
  });
  return bitmap
    .then(
      (found) => {
        if (found && !canvas.dataset.drawn) draw(found, canvas);
        found?.close();
        return true;
      },
      () => false,
    )
    .finally(() => {
      if (--waiting === 0) {
        engine?.terminate();
        engine = undefined;
      }
    });
}

/**
 * The thumbnail the file stores, if any, in a queue and a worker of their own: none
 * waits behind a photo's decode. That worker ends as soon as none is waiting for it
 * (decodes may wait for a whole batch).
 */
function storedThumbnail(file: Blob, canvas: HTMLCanvasElement): Promise<ImageBitmap | undefined> {
  storedWaiting++;
  const stored = storedQueue
    .then(() => (gone(canvas) ? undefined : storedBitmap(file)))
    .finally(() => {
      if (--storedWaiting === 0) {
        storedEngine?.terminate();
        storedEngine = undefined;
      }
    });
  storedQueue = stored;
  return stored;
}

const bitmapOf = (bmp: Uint8Array) => createImageBitmap(new Blob([bmp as BlobPart], { type: 'image/bmp' }));

/** The file's stored thumbnail, when it has one of the photo's shape (the engine's `list_picture`). */
async function storedBitmap(file: Blob): Promise<ImageBitmap | undefined> {
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const bmp = await (storedEngine ??= new WorkerEngine({ giveInput: true, preload: 'converter' })).listPicture(bytes, SIZE, false);
    return bmp ? await bitmapOf(bmp) : undefined;
  } catch {
    // A file the engine cannot read: its decode, next, says so (or fails the same way).
    return undefined;
  }
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

/**
 * Its row was removed (the item, or the whole list, cleared) while it waited: no decode is
 * made for it. HEICs added and cleared at once went on being decoded (four 16 MP photos in the
 * test), seconds each.
 * (A row is put on the page as it is made, before its thumbnail's turn comes.)
 */
function gone(canvas: HTMLCanvasElement): boolean {
  return !canvas.isConnected;
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

/** The photo decoded by the engine, small, or undefined when the canvas was drawn meanwhile (from a copy). */
async function decodedBitmap(file: Blob, canvas: HTMLCanvasElement): Promise<ImageBitmap | undefined> {
  if (gone(canvas)) return undefined;
  const bytes = new Uint8Array(await file.arrayBuffer());
  for (;;) {
    await idle();
    if (canvas.dataset.drawn || gone(canvas)) return undefined;
    const shown = await copyOf(file);
    if (shown) {
      try {
        return await createImageBitmap(shown, { resizeWidth: SIZE, resizeQuality: 'medium' });
      } catch {
        // A picture the browser cannot read after all: the engine makes the thumbnail.
      }
    }
    // It compiles the module its first request needs (the converter module for a HEIC, the
    // AVIF module for an AVIF), not one chosen beforehand.
    const worker = (engine ??= new WorkerEngine({ preload: 'none' }));
    const stopped = stops;
    try {
      const picture = await worker.listPicture(bytes, SIZE, true);
      if (!picture) throw new Error('the engine made no picture');
      return await bitmapOf(picture);
    } catch (failure) {
      if (stops === stopped) throw failure;
    }
  }
}
