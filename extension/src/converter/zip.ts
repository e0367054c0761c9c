// "Download all": the copies in one zip, made here with fflate, streamed: each
// copy is read a slice at a time and the output kept as Blobs, so a video in
// the zip is never in memory whole. Images and videos are already compressed,
// so they are stored, not deflated again: deflating JPEGs costs time and saves ~1%.
import { Zip, ZipPassThrough } from 'fflate';
import { formatBytes } from '../shared/sizes';
import { formatNumber, t } from '../shared/i18n';

export interface ZipEntry {
  name: string;
  blob: Blob;
}

/** "a.jpg", "a.jpg" -> "a.jpg", "a (2).jpg": a zip may not hold two files of one name. */
export function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    const dot = name.lastIndexOf('.');
    const hasExtension = dot > name.lastIndexOf('/') + 1;
    const stem = hasExtension ? name.slice(0, dot) : name;
    const extension = hasExtension ? name.slice(dot) : '';
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${extension}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

/** Read from each copy at a time: a video is never read whole. */
const SLICE = 8 * 1024 * 1024;
/** Zip output gathered before it becomes a Blob, which the browser may keep out of the page's memory. */
const FLUSH = 64 * 1024 * 1024;
/**
 * Without Zip64 (fflate writes none), no offset may pass 4 GiB and no zip hold more than
 * 65,535 entries: past them fflate cuts the numbers short without a word, and the zip
 * saved is broken (a read-only review, session 43).
 */
const ZIP_LIMIT = 2 ** 32 - 1;
const ZIP_ENTRIES = 65_535;
/**
 * What a stored entry adds to its bytes, besides its name twice (local header, central
 * directory): the local header (30), a data descriptor (16), the central record (46), and
 * room for extra fields; then the end record (22).
 */
const ENTRY_OVERHEAD = 30 + 16 + 46 + 64;
const END_RECORD = 22;

/** The zip's size as fflate writes it, at most (names counted in UTF-8). */
export function zipSize(entries: readonly ZipEntry[], names: readonly string[]): number {
  const encoder = new TextEncoder();
  return entries.reduce((sum, e, i) => sum + e.blob.size + ENTRY_OVERHEAD + 2 * encoder.encode(names[i]).length, END_RECORD);
}

export async function zipOf(entries: readonly ZipEntry[]): Promise<Blob> {
  if (entries.length > ZIP_ENTRIES) {
    throw new Error(t('zipTooMany', formatNumber(entries.length)));
  }
  const names = uniqueNames(entries.map((e) => e.name));
  const total = zipSize(entries, names);
  if (total >= ZIP_LIMIT) {
    throw new Error(t('zipTooLarge', formatBytes(total)));
  }
  const parts: Blob[] = [];
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = () => {
    parts.push(new Blob(pending as BlobPart[]));
    pending = [];
    pendingBytes = 0;
  };
  let failure: Error | null = null;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const zip = new Zip((error, chunk, final) => {
    if (error) failure = error;
    else {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= FLUSH) flush();
    }
    if (error || final) finished();
  });
  for (const [i, entry] of entries.entries()) {
    const file = new ZipPassThrough(names[i]);
    zip.add(file);
    const size = entry.blob.size;
    if (size === 0) file.push(new Uint8Array(0), true);
    for (let at = 0; at < size; at += SLICE) {
      const end = Math.min(size, at + SLICE);
      file.push(new Uint8Array(await entry.blob.slice(at, end).arrayBuffer()), end === size);
    }
  }
  zip.end();
  await done;
  if (failure) throw failure;
  flush();
  return new Blob(parts, { type: 'application/zip' });
}
