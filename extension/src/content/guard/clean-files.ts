// Cleans the files a page is about to receive. Images become cleaned copies with
// the same name, type and date; other files pass untouched; an image that cannot
// be cleaned is held back (the default failure policy) with the reason.
import type { Engine, Policy } from '../../engine/types';
import { describeFailure } from '../../shared/failure';
import { looksLikeImage } from './image-files';

export { looksLikeImage };

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

export interface CleanHooks {
  engine: () => Promise<Engine>;
  policy: () => Promise<Policy>;
}

/** Every file of one selection, drop or paste; images are held back when there is no engine at all. */
export async function cleanAll(originals: File[], hooks: CleanHooks): Promise<FileOutcome[]> {
  if (!originals.some(looksLikeImage)) return originals.map((file) => ({ kind: 'untouched', file }));
  try {
    const [engine, policy] = await Promise.all([hooks.engine(), hooks.policy()]);
    return await Promise.all(originals.map((file) => cleanFile(engine, file, policy)));
  } catch (e) {
    // No engine: images are held back (never sent uncleaned), other files still go.
    const reason = `Traceless could not start its cleaner (${(e as Error).message}).`;
    return originals.map((file) =>
      looksLikeImage(file) ? { kind: 'blocked', original: file, reason } : { kind: 'untouched', file },
    );
  }
}

export function passed(outcomes: FileOutcome[]): File[] {
  return outcomes.flatMap((o) => (o.kind === 'blocked' ? [] : [o.file]));
}
