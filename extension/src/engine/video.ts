// Videos, through the video module (wasm-video/): the video stays a Blob. The
// engine asks for the few byte ranges it needs (box headers, the movie header,
// an XMP box), then answers with a plan: new bytes, ranges of the original to
// copy, runs of zeros. The cleaned copy is a Blob of the new bytes and
// `slice()`s of the original, so the media data is never read into memory.
// Image sequences (animated AVIF) are the exception: pictures, read whole as the
// image engine reads images (`cleanSequence`).
import init, * as wasm from 'traceless-wasm-video';
import { hasVideoMagic } from '../shared/file-kinds';
import { WasmModule } from './wasm-module';
import { EngineError, fromWasmError, type CleanReport, type InspectReport, type Policy } from './types';

/** The module's place in the built extension (see extension/build.mjs). */
export const VIDEO_WASM_PATH = '/engine/traceless-video.wasm';

/**
 * Bytes read per request at least. The engine asks for 8 or 16 bytes at a time (a box
 * header); reading ahead serves the next few headers, and usually the whole movie
 * header when it comes first, from the same read.
 */
const READ_AHEAD = 256 * 1024;

/**
 * Most reads for one video: one per top-level box far from the others, one for the movie
 * header and one for an XMP box. A file that needs more is not a phone's video.
 */
const MAX_READS = 200;

const video = new WasmModule(VIDEO_WASM_PATH, init);

type Range = [number, Uint8Array];
type Step<T> = { need: [number, number] } | T;

const engineError = fromWasmError;

/** Calls `step` with the ranges read so far until it stops asking for more. */
async function drive<T extends object>(blob: Blob, step: (ranges: Range[]) => Step<T>): Promise<T> {
  await video.load();
  const ranges: Range[] = [];
  for (let reads = 0; reads <= MAX_READS; reads++) {
    let result: Step<T>;
    try {
      result = video.guard.call(() => step(ranges));
    } catch (e) {
      throw engineError(e);
    }
    if (!('need' in result)) return result;
    const [offset, length] = result.need;
    const end = Math.min(blob.size, offset + Math.max(length, READ_AHEAD));
    // Our own array, whatever realm the Blob's buffer comes from.
    ranges.push([offset, new Uint8Array(new Uint8Array(await blob.slice(offset, end).arrayBuffer()))]);
  }
  throw new EngineError(`the video's structure needs more than ${MAX_READS} separate reads`, 'limit_exceeded');
}

/**
 * Whether the first bytes may be a video's: an ISO file whose brand is not a still
 * image's, or a QuickTime file's first box. Cheap, so that images never load the video
 * module; the module's own `detect` decides.
 */
export function mightBeVideo(head: Uint8Array): boolean {
  // Still images in ISO boxes (HEIC, AVIF) are not: the video module is not loaded for them.
  const box = String.fromCharCode(...head.subarray(4, 8));
  return hasVideoMagic(head) || box === 'free' || box === 'skip';
}

/** The video format of a Blob by its content (`'mp4'`, `'mov'`), or undefined. */
export async function videoFormat(blob: Blob): Promise<'mp4' | 'mov' | undefined> {
  const head = new Uint8Array(new Uint8Array(await blob.slice(0, 256).arrayBuffer()));
  if (!mightBeVideo(head)) return undefined;
  await video.load();
  return wasm.detect(head) as 'mp4' | 'mov' | undefined;
}

type Piece = { bytes: Uint8Array } | { copy: [number, number] } | { zero: number };

/** Zeros in pieces of at most this size, sharing one buffer. */
const ZEROS = new Uint8Array(1 << 20);

function zeros(length: number): BlobPart[] {
  const parts: BlobPart[] = [];
  for (let left = length; left > 0; left -= ZEROS.length) parts.push(left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left));
  return parts;
}

/** The cleaned video, as a Blob made mostly of slices of `blob`. */
export async function cleanVideo(blob: Blob, policy?: Policy): Promise<{ data: Blob; report: CleanReport }> {
  const plan = await drive(blob, (ranges) => wasm.plan(blob.size, ranges, policy) as Step<{ pieces: Piece[]; report: CleanReport }>);
  const parts = plan.pieces.flatMap((p): BlobPart[] =>
    'bytes' in p ? [p.bytes as BlobPart] : 'copy' in p ? [blob.slice(p.copy[0], p.copy[1])] : zeros(p.zero),
  );
  const data = new Blob(parts);
  if (data.size !== plan.report.output_bytes) {
    // The plan's own arithmetic disagrees with itself: never hand out such a file.
    throw new EngineError(`the cleaned video has ${data.size} bytes; its plan says ${plan.report.output_bytes}`, 'internal');
  }
  return { data, report: plan.report };
}

/** What the video reveals. */
export async function inspectVideo(blob: Blob): Promise<InspectReport> {
  const { report } = await drive(blob, (ranges) => wasm.inspect(blob.size, ranges) as Step<{ report: InspectReport }>);
  return report;
}

/**
 * Image sequences (animated AVIF, HEIF `msf1`): the image engine refuses them, having
 * left out the video reader their movie needs (its size goal); this module reads them.
 * Whole, as images are: they are pictures, within the image engine's input limit.
 */
export async function cleanSequence(bytes: Uint8Array, policy?: Policy): Promise<{ data: Uint8Array; report: CleanReport }> {
  await video.load();
  try {
    return video.guard.call(() => wasm.clean_sequence(bytes, policy) as { data: Uint8Array; report: CleanReport });
  } catch (e) {
    throw engineError(e);
  }
}

/** What an image sequence reveals (see `cleanSequence`). */
export async function inspectSequence(bytes: Uint8Array): Promise<InspectReport> {
  await video.load();
  try {
    return video.guard.call(() => wasm.inspect_sequence(bytes) as InspectReport);
  } catch (e) {
    throw engineError(e);
  }
}
