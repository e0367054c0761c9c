// The engine's reports and options as JavaScript sees them. They mirror the
// serde types in core/src (report.rs, policy.rs, transcode/options.rs,
// transcode/mod.rs) by hand; the e2e and wasm tests use real reports, but
// nothing generates these types from Rust yet.

export type Format = 'jpeg' | 'png' | 'webp' | 'gif' | 'heif' | 'avif' | 'mp4' | 'mov';

export type Category =
  | 'location' | 'camera_serial' | 'people' | 'time' | 'device' | 'thumbnail' | 'hidden_data' | 'text'
  | 'software' | 'maker_notes' | 'content_credentials' | 'identifiers' | 'other' | 'display';

export interface Finding {
  category: Category;
  key: string;
  label: string;
  value: string;
  block: number;
}

export interface BlockInfo {
  kind: string;
  label: string;
  offset: number;
  length: number;
  action?: 'kept' | 'removed' | 'rewritten';
}

export interface InspectReport {
  format: Format;
  mime: string;
  width: number;
  height: number;
  frames: number;
  bytes: number;
  blocks: BlockInfo[];
  findings: Finding[];
  findings_omitted: number;
  location: { latitude: number; longitude: number; altitude?: number } | null;
  orientation: number | null;
  icc: { description: string | null; bytes: number } | null;
  summary: string;
}

export interface CleanReport {
  format: Format;
  input_bytes: number;
  output_bytes: number;
  blocks: BlockInfo[];
  removed: Finding[];
  kept: Finding[];
  unchanged: boolean;
  summary: string;
}

export interface ConvertReport {
  input_format: Format;
  format: Format;
  input_width: number;
  input_height: number;
  width: number;
  height: number;
  input_bytes: number;
  output_bytes: number;
  quality: number | null;
  rotated: number | null;
  icc_kept: boolean;
  flattened: boolean;
  removed: Finding[];
}

export interface Policy {
  keepIcc?: boolean;
  keepOrientation?: boolean;
  keepCopyright?: boolean;
  keepAuthor?: boolean;
  /** Ultra HDR JPEGs: keep the gain map (cleaned itself); the engine's default is true. */
  keepGainMap?: boolean;
}

export type OutputFormat = 'keep' | 'jpeg' | 'png' | 'webp' | 'avif';

export interface ConvertOptions {
  format?: OutputFormat;
  quality?: number;
  maxWidth?: number | null;
  maxHeight?: number | null;
  targetBytes?: number | null;
  colour?: 'keepprofile' | 'converttosrgb';
  chroma?: 'subsampled' | 'full';
  background?: [number, number, number];
  webpLossless?: boolean;
  pngLevel?: number;
  /** AVIF: libaom's speed, 0 (slowest, smallest) to 9; the engine's default is 6. */
  avifSpeed?: number;
  /** AVIF: 8 or 10 bits a sample; the engine's default is 8. */
  avifDepth?: 8 | 10;
}

export interface Output<R> {
  data: Uint8Array;
  report: R;
}

/** The engine's error kinds (core/src/error.rs), plus `internal` for a crash. */
export type ErrorKind =
  | 'empty' | 'unrecognised' | 'unsupported' | 'corrupt' | 'truncated' | 'limit_exceeded' | 'invalid_request' | 'internal';

/**
 * Why, for the user's language: a code (core/src/error.rs, `reason`) and its
 * arguments, on the refusals a person can act on. `message` stays the engine's
 * English, diagnostic text.
 */
export interface Reason {
  code: ReasonCode;
  args: string[];
}

export type ReasonCode =
  | 'other_type' | 'cannot_convert' | 'too_many_pixels' | 'out_of_memory' | 'animated_to_single'
  | 'animation_too_long' | 'video_not_reencoded' | 'fragmented_video' | 'unusual_video' | 'image_sequence'
  // Found by the extension itself, not the engine:
  | 'file_too_large' | 'not_a_video' | 'engine_stopped' | 'extension_reloaded';

export class EngineError extends Error {
  constructor(message: string, readonly kind: ErrorKind, readonly reason?: Reason) {
    super(message);
    this.name = 'EngineError';
  }
}

/** An engine error as it crosses a worker or a runtime message (structured clone drops the class). */
export interface ErrorReply {
  message: string;
  kind: ErrorKind;
  reason?: Reason;
}

export function errorReply(e: unknown): ErrorReply {
  if (e instanceof EngineError) return { message: e.message, kind: e.kind, ...(e.reason ? { reason: e.reason } : {}) };
  return { message: e instanceof Error ? e.message : String(e), kind: 'internal' };
}

export function errorFrom(reply: ErrorReply): EngineError {
  return new EngineError(reply.message, reply.kind, reply.reason);
}

/** The engine's JS `Error` (wasm/src/js.rs: `kind`, `reason`, `args`) as an EngineError. */
export function fromWasmError(e: unknown): EngineError {
  if (e instanceof EngineError) return e;
  if (!(e instanceof Error)) return new EngineError(String(e), 'internal');
  const { kind, reason, args } = e as { kind?: ErrorKind; reason?: ReasonCode; args?: string[] };
  return new EngineError(e.message, kind ?? 'internal', reason ? { code: reason, args: args ?? [] } : undefined);
}

/** A file's pixels as the engine decoded them (`decodeUpright`): RGBA8, upright, in the file's colour space. */
export interface Decoded {
  rgba: Uint8Array;
  width: number;
  height: number;
}

/**
 * A band's share of a decode (`decodeUprightBand`): its rows, and `screen`, the same rows
 * in sRGB for the picture shown when they need converting (null when they could not be);
 * or the whole image; or null.
 */
export type UprightBand = { rows: Uint8Array; screen?: Uint8Array | null } | Decoded | null;

/**
 * A decode joined from bands, with `picture`: the BMP `screenPicture` would make of it
 * (none when no screens were given).
 */
export type Joined = Decoded & { picture?: Uint8Array };

export interface Engine {
  inspect(bytes: Uint8Array): Promise<InspectReport>;
  clean(bytes: Uint8Array, policy?: Policy): Promise<Output<CleanReport>>;
  convert(bytes: Uint8Array, options?: ConvertOptions): Promise<Output<ConvertReport>>;
}

/**
 * The engine as extension pages and their workers have it: a file decoded once (to
 * show it) converts from those pixels. Content scripts' engine has no such calls:
 * pixels never come from a message (service.ts).
 */
/** What a JPEG conversion's strips share (the engine's `PartsJob`): passed back to it as it came. */
export interface PartsJob {
  width: number;
  /** Each strip's rows, top to bottom. */
  heights: number[];
}

/** A JPEG conversion left in strips for other workers to encode: each strip's RGB rows. */
export interface InParts {
  job: PartsJob;
  strips: Uint8Array[];
}

export interface PixelEngine extends Engine {
  /** `decoded`: the file's pixels from an earlier `decodeUpright`, which spares decoding it again. */
  convert(bytes: Uint8Array, options?: ConvertOptions, decoded?: Decoded): Promise<Output<ConvertReport>>;
  decodeUpright(bytes: Uint8Array): Promise<Decoded>;
  /**
   * Band `index` of `count` of `decodeUpright(bytes)`, for workers sharing one decode (a
   * grid HEIC's tiles): its rows for `joinUprightBands`, turned upright, with their sRGB
   * copy for the picture when they need one; or, for an image not decoded in bands, the
   * whole image from the first band and null from the others.
   */
  decodeUprightBand(bytes: Uint8Array, index: number, count: number): Promise<UprightBand>;
  /**
   * `decodeUpright(bytes)` from every band's rows, in order, with its picture from every
   * band's `screen` (its rows where it had none), in the same order, unless `screens` is
   * empty (all given away).
   */
  joinUprightBands(bytes: Uint8Array, bands: Uint8Array[], screens: Uint8Array[]): Promise<Joined>;
  /** A BMP to show `decodeUpright`'s pixels of `bytes` with: sRGB, made fast and large, never saved. */
  screenPicture(bytes: Uint8Array, decoded: Decoded): Promise<Uint8Array>;
  /**
   * A small BMP of a HEIC within `size` × `size`, for a list: from its own thumbnail when it
   * has one of its shape (milliseconds), else, with `decodePhoto`, decoded (else null).
   */
  listPicture(bytes: Uint8Array, size: number, decodePhoto: boolean): Promise<Uint8Array | null>;
  /** `convert`, with a large JPEG's encoding left in up to `parts` strips (see split-encode.ts). */
  convertInParts(bytes: Uint8Array, options: ConvertOptions | undefined, decoded: Decoded | undefined, parts: number): Promise<Output<ConvertReport> | InParts>;
  encodePart(rgb: Uint8Array, height: number, job: PartsJob): Promise<Uint8Array>;
  /** Half (0 or 1) of the file's scans, from the encoded strips (all of them, top to bottom). */
  writeScans(strips: Uint8Array[], job: PartsJob, half: number): Promise<Uint8Array>;
  /** The file from the two halves of its scans; `jobs`: each half's job. */
  spliceScans(halves: Uint8Array[], jobs: PartsJob[]): Promise<Output<ConvertReport>>;
  /** Strip `index` of `heights` (the engine's cut), prepared and encoded from `rows`, its rows of `decodeUpright`'s pixels. */
  encodeDecodedStrip(
    bytes: Uint8Array,
    rows: Uint8Array,
    width: number,
    heights: number[],
    index: number,
    options: ConvertOptions | undefined,
  ): Promise<{ strip: Uint8Array; job: PartsJob }>;
}

export const MIME: Record<Format, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heif: 'image/heic',
  avif: 'image/avif',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
};
