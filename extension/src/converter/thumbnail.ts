// Small previews for the list, decoded by the browser (fast, upright, local)
// one at a time: fifty 12-megapixel decodes at once would hold 2.4 GB.
const SIZE = 112;
let queue: Promise<void> = Promise.resolve();

/** Draws `file` into `canvas`, scaled to fit; resolves false when the browser cannot show it. */
export function drawThumbnail(file: Blob, canvas: HTMLCanvasElement): Promise<boolean> {
  const run = queue.then(async () => {
    let bitmap: ImageBitmap | undefined;
    try {
      bitmap = await createImageBitmap(file, { resizeWidth: SIZE, resizeQuality: 'medium' });
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
    }
  });
  queue = run.then(() => undefined);
  return run;
}
