// A large JPEG's encode over two workers. MozJPEG encodes on one thread, and it is most
// of a 12 MP conversion (about 1 s in wasm): the picture is cut into two strips, each
// worker encodes one, then each writes half of the file's scans from both strips, and
// the first splices them (core: transcode/parts.rs). Pixels the page already has (a
// HEIC's, decoded to show it) are cut here, and each worker prepares only its own rows;
// otherwise the first worker decodes and prepares the picture, and hands over a strip.
// Only where a worker would otherwise sit idle: a single image (the estimate's copy, a
// batch of one), never beside a batch's other lanes.
import { isEngineStopped } from '../engine/trap';
import { isCancelled } from '../engine/worker-client';
import { isAvif, isHeic } from '../shared/file-kinds';
import type { ConvertOptions, ConvertReport, Decoded, Output, PartsJob, PixelEngine } from '../engine/types';

/** A second worker for one conversion, and how to let it go (its memory goes with it). */
export type Helper = () => { engine: PixelEngine; release(): void };

/** The helper failed (it could not start, or stopped): the first worker can still do it all. */
class HelperFailed extends Error {}

/** `engine`, with its failures marked as the helper's. */
function asHelper(engine: PixelEngine): Pick<PixelEngine, 'encodePart' | 'writeScans' | 'encodeDecodedStrip'> {
  const mark = (e: unknown): never => {
    throw new HelperFailed(String(e));
  };
  return {
    encodePart: (...args) => engine.encodePart(...args).catch(mark),
    writeScans: (...args) => engine.writeScans(...args).catch(mark),
    encodeDecodedStrip: (...args) => engine.encodeDecodedStrip(...args).catch(mark),
  };
}

/** Whether the output is a JPEG (the format kept: a JPEG stays one, a HEIC or an AVIF becomes one). */
function jpegOut(options: ConvertOptions | undefined, bytes: Uint8Array): boolean {
  if (options?.format === 'jpeg') return true;
  return options?.format === 'keep' && ((bytes[0] === 0xff && bytes[1] === 0xd8) || isHeic(bytes) || isAvif(bytes));
}

/** Files at least this large start their helper at once, so it is ready when the strips are. */
const EAGER_BYTES = 1_000_000;
/** The engine splits nothing smaller (transcode/parts.rs MIN_PARTS_PIXELS). */
const MIN_PIXELS = 4_000_000;

export async function convertInTwo(
  engine: PixelEngine,
  helper: Helper,
  bytes: Uint8Array,
  options: ConvertOptions | undefined,
  decoded?: Decoded,
): Promise<Output<ConvertReport>> {
  // Only JPEG is made in strips: other formats go the usual way, with no helper started.
  if (!jpegOut(options, bytes)) return engine.convert(bytes, options, decoded);
  const large = decoded ? decoded.width * decoded.height >= MIN_PIXELS : bytes.length >= EAGER_BYTES;
  let second: ReturnType<Helper> | undefined;
  const start = (): ReturnType<Helper> => {
    try {
      return helper();
    } catch (e) {
      throw new HelperFailed(String(e));
    }
  };
  try {
    second = large ? start() : undefined;
    if (decoded && second && ownRows(decoded, options)) {
      try {
        return await fromOwnRows(engine, asHelper(second.engine), bytes, options, decoded);
      } catch (e) {
        if (isEngineStopped(e) || isCancelled(e) || e instanceof HelperFailed) throw e;
        // The engine cuts otherwise (its rules changed?): said, and the way below asks it.
        console.warn('traceless: the engine refused the strips cut in the page', e);
      }
    }
    // A copy: the engine may be given its input, and the fallback below needs the bytes.
    const made = await engine.convertInParts(bytes.slice(), options, decoded, 2);
    if (!('job' in made)) return made;
    const { job, strips } = made;
    second ??= start();
    const helping = asHelper(second.engine);
    const encoded = await Promise.all(strips.map((rgb, k) => (k === 0 ? engine : helping).encodePart(rgb, job.heights[k], job)));
    return await spliced(engine, helping, encoded, [job, job]);
  } catch (e) {
    if (!(e instanceof HelperFailed)) throw e;
    // The helper could not do its part: the first worker converts the image alone.
    return engine.convert(bytes, options, decoded);
  } finally {
    second?.release();
  }
}

/** Each worker writes half the file's scans from both strips (each scan covers the whole picture), the first splices them. */
async function spliced(engine: PixelEngine, helping: ReturnType<typeof asHelper>, strips: Uint8Array[], jobs: [PartsJob, PartsJob]): Promise<Output<ConvertReport>> {
  const halves = await Promise.all([engine.writeScans(strips.map((s) => s.slice()), jobs[0], 0), helping.writeScans(strips, jobs[1], 1)]);
  return engine.spliceScans(halves, jobs);
}

/** Whether the engine would cut these pixels in strips as they are (the output being a JPEG): at their own size. */
function ownRows({ width, height }: Decoded, options: ConvertOptions | undefined): boolean {
  if (!options || options.targetBytes) return false;
  const fits = (limit: number | null | undefined, size: number) => !limit || limit >= size;
  return width * height >= MIN_PIXELS && fits(options.maxWidth, width) && fits(options.maxHeight, height);
}

/** The engine's cut (codec/jpeg_parts.rs strip_heights): whole MCU rows, as even as they allow. */
function cut(height: number, options: ConvertOptions | undefined): [number, number] {
  const mcu = options?.chroma === 'full' ? 8 : 16;
  const first = Math.floor(Math.ceil(height / mcu) / 2) * mcu;
  return [first, height - first];
}

async function fromOwnRows(
  engine: PixelEngine,
  helping: ReturnType<typeof asHelper>,
  bytes: Uint8Array,
  options: ConvertOptions | undefined,
  { rgba, width, height }: Decoded,
): Promise<Output<ConvertReport>> {
  const heights = cut(height, options);
  const row = width * 4;
  const made = await Promise.all(
    heights.map((rows, k) => {
      const start = k === 0 ? 0 : heights[0] * row;
      // Copies (the page keeps its pixels), and of the file: each worker is given its own.
      return (k === 0 ? engine : helping).encodeDecodedStrip(bytes.slice(), rgba.slice(start, start + rows * row), width, heights, k, options);
    }),
  );
  return spliced(engine, helping, made.map((m) => m.strip), [made[0].job, made[1].job]);
}
