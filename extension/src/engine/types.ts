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

export type OutputFormat = 'keep' | 'jpeg' | 'png' | 'webp';

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
}

export interface Output<R> {
  data: Uint8Array;
  report: R;
}

/** The engine's error kinds (core/src/error.rs), plus `internal` for a crash. */
export type ErrorKind =
  | 'empty' | 'unrecognised' | 'unsupported' | 'corrupt' | 'truncated' | 'limit_exceeded' | 'invalid_request' | 'internal';

export class EngineError extends Error {
  constructor(message: string, readonly kind: ErrorKind) {
    super(message);
    this.name = 'EngineError';
  }
}

export interface Engine {
  inspect(bytes: Uint8Array): Promise<InspectReport>;
  clean(bytes: Uint8Array, policy?: Policy): Promise<Output<CleanReport>>;
  convert(bytes: Uint8Array, options?: ConvertOptions): Promise<Output<ConvertReport>>;
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
