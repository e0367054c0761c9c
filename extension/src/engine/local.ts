// The engine in the current thread. Used inside the engine worker, and by the
// background for content scripts' cleaning, which takes milliseconds. Long work (the
// menu's, the guard's re-encoding) goes to a worker (background/offscreen-engine.ts,
// background/worker-engine.ts): Chromium stops a service worker busy in one call for
// about a minute (bench/long-engine-call.mjs), and Firefox's event page, so busy, could
// neither tell the user nor finish the download.
import init, * as wasm from 'traceless-wasm';
import initAvif, * as avif from 'traceless-wasm-avif';
import initFull, * as full from 'traceless-wasm-full';
import { isAnimated, isAvif, isHeic } from '../shared/file-kinds';
import { cleanSequence, inspectSequence } from './video';
import { WasmModule } from './wasm-module';
import {
  type CleanReport,
  type ConvertOptions,
  type ConvertReport,
  type Decoded,
  EngineError,
  fromWasmError,
  type InParts,
  type InspectReport,
  type Joined,
  type Output,
  type PartsJob,
  type PixelEngine,
  type Policy,
  type UprightBand,
} from './types';

/** The module's place in the built extension (see extension/build.mjs). */
export const WASM_PATH = '/engine/traceless.wasm';
/**
 * The same engine with the HEVC decoder and the animation encoder, loaded only to
 * convert a HEIC, an AVIF or an animation: the engine above stays under its size
 * goal, and removing metadata never loads this one.
 */
export const FULL_WASM_PATH = '/engine/traceless-full.wasm';
/**
 * The converter module plus libaom's AV1 encoder and rav1d's AV1 decoder (5 MB), loaded
 * only when AVIF output is chosen or the browser's own decoder refuses an AVIF.
 */
export const AVIF_WASM_PATH = '/engine/traceless-avif.wasm';

const image = new WasmModule(WASM_PATH, init);
const converter = new WasmModule(FULL_WASM_PATH, initFull);
const avifEncoder = new WasmModule(AVIF_WASM_PATH, initAvif);

/**
 * AVIF decoded by the browser's own AV1 decoder (in workers too): upright (it applies
 * the file's rotation, mirroring and crop), unpremultiplied, in the file's colours
 * (no colour conversion: the engine keeps or converts the file's profile).
 *
 * None when the browser refuses the file, which need not be damaged (Chromium: 12-bit
 * AV1; Debian's Firefox ESR: files its compliance checks reject, such as some of the
 * link-u rotations and crops): the AVIF module decodes those with rav1d, which is
 * slower and a 5 MB module to load, so it is not the first choice.
 */
async function browserDecode(bytes: Uint8Array): Promise<Decoded | undefined> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: 'image/avif' }), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
  } catch {
    return undefined;
  }
  try {
    const { width, height } = bitmap;
    const context = new OffscreenCanvas(width, height).getContext('2d');
    if (!context) return undefined;
    context.drawImage(bitmap, 0, 0);
    const rgba = context.getImageData(0, 0, width, height).data;
    return { rgba: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength), width, height };
  } finally {
    bitmap.close();
  }
}

/** Compiles and instantiates the module now rather than on the first request. */
export function preload(): Promise<unknown> {
  return image.load();
}

/** The converter module instead, for a worker that will convert (see `basic`). */
export function preloadConverter(): Promise<unknown> {
  return converter.load();
}

/**
 * The module for work any of them does: the converter module once this thread has it
 * (it is the image module and more, so the image module is not compiled as well).
 */
function basic(): [typeof wasm, WasmModule] {
  return converter.started ? [full, converter] : [wasm, image];
}

/**
 * The module that decodes a picture for showing (the converter's list, its comparison): these
 * come only for images the browser cannot show. A HEIC: the converter module, which converting
 * it loads anyway (the image module cannot decode HEIC). An AVIF the browser's decoder refuses:
 * the AVIF module, the only one with an AV1 decoder (rav1d).
 */
function showing(bytes: Uint8Array): [typeof full, WasmModule] {
  return isAvif(bytes) ? [avif, avifEncoder] : [full, converter];
}

function rethrow(e: unknown): never {
  throw fromWasmError(e);
}

/**
 * Runs a wasm call once its module is ready (the image module unless said), with
 * its errors as EngineErrors; a trap stops the module for good (see trap.ts).
 */
async function run<T>(call: () => unknown, module: WasmModule = image): Promise<T> {
  await module.load();
  try {
    return module.guard.call(call) as T;
  } catch (e) {
    rethrow(e);
  }
}

/** The image engine's refusal of an image sequence (an animated AVIF): the video module reads those. */
function isSequenceRefusal(e: unknown): boolean {
  return e instanceof EngineError && e.reason?.code === 'image_sequence';
}

export class LocalEngine implements PixelEngine {
  async inspect(bytes: Uint8Array): Promise<InspectReport> {
    const [exports, module] = basic();
    try {
      return await run<InspectReport>(() => exports.inspect(bytes), module);
    } catch (e) {
      if (isSequenceRefusal(e)) return inspectSequence(bytes);
      throw e;
    }
  }

  async clean(bytes: Uint8Array, policy?: Policy): Promise<Output<CleanReport>> {
    const [exports, module] = basic();
    try {
      return await run<Output<CleanReport>>(() => exports.clean(bytes, policy), module);
    } catch (e) {
      if (isSequenceRefusal(e)) return cleanSequence(bytes, policy);
      throw e;
    }
  }

  async convert(bytes: Uint8Array, options?: ConvertOptions, decoded?: Decoded): Promise<Output<ConvertReport>> {
    // The converter and AVIF modules are whole engines: the image module is not loaded for these.
    const [exports, module] = options?.format === 'avif' ? [avif, avifEncoder] : [full, converter];
    if (decoded) {
      const { rgba, width, height } = decoded;
      return run(() => exports.convert_decoded(bytes, rgba, width, height, options), module);
    }
    if (isAvif(bytes)) {
      const pixels = await browserDecode(bytes);
      if (!pixels) return run(() => avif.convert(bytes, options), avifEncoder);
      const { rgba, width, height } = pixels;
      return run(() => exports.convert_decoded(bytes, rgba, width, height, options), module);
    }
    if (isHeic(bytes) || isAnimated(bytes) || options?.format === 'avif') return run(() => exports.convert(bytes, options), module);
    const [either, itsModule] = basic();
    return run(() => either.convert(bytes, options), itsModule);
  }

  /** In the converter module, which has the strip encoder and joiner (the image module has no room for them). */
  async convertInParts(bytes: Uint8Array, options: ConvertOptions | undefined, decoded: Decoded | undefined, parts: number): Promise<Output<ConvertReport> | InParts> {
    if (options?.format === 'avif') return this.convert(bytes, options, decoded);
    let pixels = decoded;
    if (!pixels && isAvif(bytes)) {
      pixels = await browserDecode(bytes);
      // Not in parts: the AVIF module has the decoder but not the strip encoder.
      if (!pixels) return run(() => avif.convert(bytes, options), avifEncoder);
    }
    return run(() => full.convert_in_parts(bytes, pixels?.rgba, pixels?.width ?? 0, pixels?.height ?? 0, options, parts), converter);
  }

  encodePart(rgb: Uint8Array, height: number, job: PartsJob): Promise<Uint8Array> {
    return run(() => full.encode_part(rgb, height, job), converter);
  }

  writeScans(strips: Uint8Array[], job: PartsJob, half: number): Promise<Uint8Array> {
    return run(() => full.write_scans(strips, job, half), converter);
  }

  spliceScans(halves: Uint8Array[], jobs: PartsJob[]): Promise<Output<ConvertReport>> {
    return run(() => full.splice_scans(halves, jobs), converter);
  }

  encodeDecodedStrip(
    bytes: Uint8Array,
    rows: Uint8Array,
    width: number,
    heights: number[],
    index: number,
    options: ConvertOptions | undefined,
  ): Promise<{ strip: Uint8Array; job: PartsJob }> {
    return run(() => full.encode_decoded_strip(bytes, rows, width, new Uint32Array(heights), index, options), converter);
  }

  decodeUpright(bytes: Uint8Array): Promise<Decoded> {
    const [exports, module] = showing(bytes);
    return run(() => exports.decode_upright(bytes), module);
  }

  decodeUprightBand(bytes: Uint8Array, index: number, count: number): Promise<UprightBand> {
    const [exports, module] = showing(bytes);
    return run(() => exports.decode_upright_band(bytes, index, count), module);
  }

  joinUprightBands(bytes: Uint8Array, bands: Uint8Array[], screens: Uint8Array[]): Promise<Joined> {
    const [exports, module] = showing(bytes);
    return run(() => exports.join_upright_bands(bytes, bands, screens), module);
  }

  screenPicture(bytes: Uint8Array, decoded: Decoded): Promise<Uint8Array> {
    const [exports, module] = showing(bytes);
    return run(() => exports.screen_picture(bytes, decoded.rgba, decoded.width, decoded.height), module);
  }

  async listPicture(bytes: Uint8Array, size: number, decodePhoto: boolean): Promise<Uint8Array | null> {
    // No stored thumbnail of an AVIF is read, so that waits for the photo.
    if (isAvif(bytes) && !decodePhoto) return null;
    const [exports, module] = showing(bytes);
    return run(() => exports.list_picture(bytes, size, decodePhoto) ?? null, module);
  }
}
