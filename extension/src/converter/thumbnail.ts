// Small previews for the list, decoded by the browser (fast, upright, local)
// one at a time: fifty 12-megapixel decodes at once would hold 2.4 GB. A HEIC,
// which no browser shows, is drawn from a small JPEG the engine makes of it, in
// a worker of its own that ends when no thumbnail is waiting.
import { WorkerEngine } from '../engine/worker-client';
import { isHeic } from '../shared/file-kinds';

const SIZE = 112;
let queue: Promise<void> = Promise.resolve();
let waiting = 0;
let engine: WorkerEngine | undefined;

/** Draws `file` into `canvas`, scaled to fit; resolves false when it cannot be shown. */
export function drawThumbnail(file: Blob, canvas: HTMLCanvasElement): Promise<boolean> {
  waiting++;
  const run = queue.then(async () => {
    let bitmap: ImageBitmap | undefined;
    try {
      bitmap = await bitmapOf(file);
      const scale = Math.min(SIZE / bitmap.width, SIZE / bitmap.height);
      const w = Math.max(1, Math.round(bitmap.width * scale));
      const h = Math.max(1, Math.round(bitmap.height * scale));
      canvas.width = SIZE;
      canvas.height = SIZE;
      const context = canvas.getContext('2d')!;
      context.drawImage(bitmap, (SIZE - w) / 2, (SIZE - h) / 2, w, h);
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
  queue = run.then(() => undefined);
  return run;
}

async function bitmapOf(file: Blob): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(file, { resizeWidth: SIZE, resizeQuality: 'medium' });
  } catch (e) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (!isHeic(bytes)) throw e;
    engine ??= new WorkerEngine({ giveInput: true });
    const small = await engine.convert(bytes, { format: 'jpeg', quality: 70, maxWidth: SIZE, maxHeight: SIZE });
    return createImageBitmap(new Blob([small.data as BlobPart], { type: 'image/jpeg' }));
  }
}
