// Cleans the files a page is about to receive. Images become cleaned copies with
// the same name, type and date; other files pass untouched; an image that cannot
// be cleaned is held back (the default failure policy) with the reason.
import type { Engine, Policy } from '../../engine/types';
import { describeFailure } from '../../shared/failure';

/** Types and names worth a look: the engine decides by content, this only spares other files. */
const IMAGE_NAME = /\.(jpe?g|jfif|png|apng|webp|gif|heic|heif|avif|tiff?|bmp|jxl)$/i;

export function looksLikeImage(file: File): boolean {
  return file.type.startsWith('image/') || IMAGE_NAME.test(file.name);
}

export type FileOutcome =
  | { kind: 'cleaned'; file: File; summary: string; removed: number }
  | { kind: 'untouched'; file: File }
  | { kind: 'blocked'; original: File; reason: string };

export async function cleanFile(engine: Engine, file: File, policy: Policy): Promise<FileOutcome> {
  if (!looksLikeImage(file)) return { kind: 'untouched', file };
  try {
    // Firefox hands content scripts a page-side buffer: copy it into our own array.
    const bytes = new Uint8Array(new Uint8Array(await file.arrayBuffer()));
    const { data, report } = await engine.clean(bytes, policy);
    const cleaned = new File([data as BlobPart], file.name, { type: file.type, lastModified: file.lastModified });
    return { kind: 'cleaned', file: cleaned, summary: report.summary, removed: report.removed.length };
  } catch (e) {
    return { kind: 'blocked', original: file, reason: describeFailure(e) };
  }
}
