// "Compress and save" (the context menu, the report page): the re-encoded copy, or,
// when re-encoding would not make the file any smaller, the lossless cleaned copy in
// its own format, as the upload guard's recompress mode does. An image compressed
// harder than the preset's quality grows when re-encoded (a Sony camera JPEG of
// 58 KB became 66 KB at quality 90), and so does a photo made PNG by the settings'
// format, or an animated GIF made WebP: "Compress" never saves a larger file.
import type { CleanReport, ConvertOptions, ConvertReport, Engine, Output, Policy } from '../engine/types';
import { isAvif, isHeic } from './file-kinds';

export type Compressed = { kind: 'converted'; output: Output<ConvertReport> } | { kind: 'cleaned'; output: Output<CleanReport> };

export async function compressOrClean(engine: Engine, bytes: Uint8Array, options: ConvertOptions, policy: Policy): Promise<Compressed> {
  const converted = await engine.convert(bytes, options);
  // Another format was asked for (a HEIC or an AVIF becomes a JPEG): that is kept, and the
  // HEIC not cleaned for nothing.
  const format = converted.report.format;
  if ((isHeic(bytes) && format !== 'heif') || (isAvif(bytes) && format !== 'avif')) return { kind: 'converted', output: converted };
  // A file the cleaner refuses but the decoder took: the converted copy stands.
  const cleaned = await engine.clean(bytes, policy).catch(() => undefined);
  if (cleaned && cleaned.data.length <= converted.data.length) {
    return { kind: 'cleaned', output: cleaned };
  }
  return { kind: 'converted', output: converted };
}
