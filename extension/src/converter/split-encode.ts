// A large JPEG's encode over two workers. MozJPEG encodes on one thread, and it is most
// of a 12 MP conversion (about 1 s in wasm): the engine prepares the pixels once, the
// worker that did so and a helper worker encode a strip each, then each writes half of
// the file's scans from both strips, and the first splices them (core: transcode/parts.rs).
// Only where a worker would otherwise sit idle: a single image (the estimate's copy, a
// batch of one), never beside a batch's other lanes.
import type { ConvertOptions, ConvertReport, Decoded, Output, PixelEngine } from '../engine/types';

/** A second worker for one conversion, and how to let it go (its memory goes with it). */
export type Helper = () => { engine: PixelEngine; release(): void };

/** Files at least this large start their helper at once, so it is ready when the strips are. */
const EAGER_BYTES = 1_000_000;

export async function convertInTwo(
  engine: PixelEngine,
  helper: Helper,
  bytes: Uint8Array,
  options: ConvertOptions | undefined,
  decoded?: Decoded,
): Promise<Output<ConvertReport>> {
  const large = decoded ? decoded.width * decoded.height >= 4_000_000 : bytes.length >= EAGER_BYTES;
  let second = large ? helper() : undefined;
  try {
    const made = await engine.convertInParts(bytes, options, decoded, 2);
    if (!('job' in made)) return made;
    const { job, strips } = made;
    second ??= helper();
    const helping = second.engine;
    const encoded = await Promise.all(strips.map((rgb, k) => (k === 0 ? engine : helping).encodePart(rgb, job.heights[k], job)));
    // Both need both strips (each scan covers the whole picture): the helper gets a copy.
    const halves = await Promise.all([engine.writeScans(encoded.map((s) => s.slice()), job, 0), helping.writeScans(encoded, job, 1)]);
    return await engine.spliceScans(halves, job);
  } finally {
    second?.release();
  }
}
