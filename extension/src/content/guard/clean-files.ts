// Cleans the files a page is about to receive. Images and videos become cleaned
// copies of the same type, named as the originals but for the dates in the names
// (a random token instead: a setting), and dated now, not when the original was last
// changed (often when the photo was taken);
// other files pass untouched; one that cannot be cleaned is held back (the default
// failure policy) with the reason.
import { MAX_IMAGE_BYTES } from '../../engine/unreadable';
import type { MessagingEngine } from '../../engine/messaging-engine';
import { MIME, type Finding } from '../../engine/types';
import { describeFailure } from '../../shared/failure';
import { convertOptionsOf, guardModeFor, policyOf, type Settings } from '../../shared/settings';
import { isAnimated, isImageSequence, kindOf, type FileKind } from '../../shared/file-kinds';
import { freeName, renamed, undatedName } from '../../shared/names';
import { pathOf, placeLike } from './relative-paths';
import { topSite } from './site';
import { t } from '../../shared/i18n';
import { formatBytes } from '../../shared/sizes';

export type FileOutcome =
  /**
   * `renamedFrom`: the original's name, when the site gets another: sent in another
   * format (`converted`: a HEIC as .jpg) or without the date in its name (`undated`:
   * then the notice must not show the original's name in the page).
   * `notConverted`: why a HEIC the settings asked to send as JPEG went as its cleaned
   * HEIC instead.
   */
  | { kind: 'cleaned'; file: File; removed: Finding[]; renamedFrom?: string; converted?: boolean; undated?: boolean; notConverted?: string }
  | { kind: 'untouched'; file: File }
  /** `shown`: its name as the page's notice may show it (without the dates in it, when the settings say so). */
  | { kind: 'blocked'; original: File; reason: string; shown?: string }
  /** Could not be cleaned, and the user chose to let such images through. */
  | { kind: 'uncleaned'; file: File; reason: string };

/**
 * Files cleaned at once. The engine holds each file and its cleaned copy in memory, so a
 * selection of a thousand photos is taken a few at a time, not all at once.
 */
const AT_ONCE = 2;

/** `work` over `items`, at most `limit` at a time, results in order. */
async function bounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** The name a file goes under to the site: a random token for the dates in it, if the settings say so. */
function sentName(name: string, settings: Settings): string {
  return settings.undatedNames ? undatedName(name) : name;
}

/** A file's name as a notice in the page may show it: the dates in it elided, if the settings say so. */
export function shownName(name: string, settings: Settings): string {
  return settings.undatedNames ? undatedName(name, '…') : name;
}

/**
 * An original the user chose to let through uncleaned (passUncleanable): its bytes as
 * they are, but its name as a cleaned copy's, and dated now. (A File made without a
 * lastModified is dated now: no copy ever carries the original's date.)
 */
function uncleaned(file: File, reason: string, settings: Settings): FileOutcome {
  const copy = new File([file], sentName(file.name, settings), { type: file.type });
  // In its folder as the cleaned copies beside it are (a chosen or dropped folder).
  placeLike(copy, file);
  return { kind: 'uncleaned', file: copy, reason };
}

const renamedFrom = (original: File, name: string) => (name === original.name ? undefined : original.name);

/**
 * Names the guard changed, told apart from every other name the site gets in the same
 * selection (in the same folder, for a chosen folder): a HEIC sent as IMG_1.jpg meets
 * the IMG_1.JPG beside it, and an uploader that keys files by name would keep only one.
 */
function distinctNames(outcomes: FileOutcome[]): FileOutcome[] {
  const renamedHere = (o: FileOutcome): o is Extract<FileOutcome, { kind: 'cleaned' }> => o.kind === 'cleaned' && o.renamedFrom !== undefined;
  // A held-back original counts: the user may still send it.
  const taken = new Set(outcomes.flatMap((o) => (renamedHere(o) ? [] : [pathOf(o.kind === 'blocked' ? o.original : o.file).toLowerCase()])));
  return outcomes.map((o) => {
    if (!renamedHere(o)) return o;
    const path = pathOf(o.file);
    const folder = path.slice(0, path.length - o.file.name.length);
    const name = freeName(path, taken).slice(folder.length);
    if (name === o.file.name) return o;
    const file = new File([o.file], name, { type: o.file.type });
    placeLike(file, o.file);
    return { ...o, file };
  });
}

/**
 * A copy's bytes, held by this process in an array of our own (Firefox hands content
 * scripts a page-side buffer). The File the page gets is made of them: in Firefox the
 * engine's Blob lives in the extension's process, and an upload of Files made over such
 * Blobs stalled before its end, every time for 40 photos (5.8 MB) sent by a page's
 * fetch(FormData), the last few KB never sent (tests/e2e/guard.test.mjs). These are the
 * cleaned copy's bytes: they may reach the page, they are what it gets.
 */
async function inThisProcess(data: Blob): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(new Uint8Array(await data.arrayBuffer()));
}

/** `kind`: what `kindOf` said of the file (cleanAll asks once for the whole selection). */
export async function cleanFile(engine: MessagingEngine, file: File, kind: FileKind, settings: Settings, mode: 'clean' | 'recompress'): Promise<FileOutcome> {
  if (kind === 'other') return { kind: 'untouched', file };
  if (kind === 'video') return cleanVideoFile(engine, file, settings);
  if (file.size > MAX_IMAGE_BYTES) {
    const reason = t('guardTooLarge', formatBytes(file.size), formatBytes(MAX_IMAGE_BYTES));
    return settings.passUncleanable ? uncleaned(file, reason, settings) : { kind: 'blocked', original: file, reason };
  }
  try {
    // The file goes to the engine as it is (a Blob handle, not read here); the copy comes back as one.
    const cleaned = await engine.cleanBlob(file, policyOf(settings));
    const cleanedBytes = await inThisProcess(cleaned.data);
    let bytes = cleanedBytes;
    let format = cleaned.report.format;
    let notConverted: string | undefined;
    if (mode === 'recompress') {
      // Same format, so the site gets the type it asked for; smaller, or the lossless copy.
      // What the engine cannot re-encode (AVIF, an image over its pixel limits) goes as the
      // lossless copy: its metadata is removed all the same. A HEIC becomes a JPEG when
      // the settings ask, whatever its size: the point is that the site takes it.
      // The original is never read here (see MessagingEngine.convertBlob); what the
      // routing below needs to know (format, frames) the cleaned copy tells as well.
      const asJpeg = settings.heicToJpeg && cleaned.report.format === 'heif';
      // An animation stays in its format (the lossless copy): the only animated output
      // is WebP, which a site that asked for a GIF or APNG may refuse; an animated AVIF
      // cannot be converted at all yet. A HEIC asked for as JPEG is always tried, so
      // that the user hears why it could not be (a HEIF sequence, too many pixels).
      let failure: unknown;
      const converted = !asJpeg && (isAnimated(cleanedBytes) || isImageSequence(cleanedBytes))
        ? undefined
        : await engine.convertBlob(file, convertOptionsOf(settings, { format: asJpeg ? 'jpeg' : 'keep' }, cleanedBytes)).catch((e: unknown) => {
            failure = e;
            return undefined;
          });
      if (converted && (asJpeg || converted.data.size < cleanedBytes.length)) {
        bytes = await inThisProcess(converted.data);
        format = converted.report.format;
      } else if (asJpeg) {
        // The site may refuse a HEIC: the user must know it was not made a JPEG.
        notConverted = describeFailure(failure);
      }
    }
    const converted = format !== cleaned.report.format;
    const type = converted ? MIME[format] : file.type || MIME[format];
    // The extension follows the format (a still GIF recompressed as PNG).
    const named = converted ? renamed(file.name, format) : file.name;
    const name = sentName(named, settings);
    const out = new File([bytes], name, { type });
    placeLike(out, file);
    return { kind: 'cleaned', file: out, removed: cleaned.report.removed, renamedFrom: renamedFrom(file, name), converted, undated: name !== named, notConverted };
  } catch (e) {
    const reason = describeFailure(e);
    return settings.passUncleanable ? uncleaned(file, reason, settings) : { kind: 'blocked', original: file, reason };
  }
}

/**
 * A video is never read here or by the engine: the background reads the few ranges it
 * needs and sends back a copy made of slices of the original (engine/video.ts). It is
 * not recompressed, whatever the mode: Traceless does not re-encode videos.
 */
async function cleanVideoFile(engine: MessagingEngine, file: File, settings: Settings): Promise<FileOutcome> {
  try {
    const cleaned = await engine.cleanBlob(file, policyOf(settings), true);
    const type = file.type || MIME[cleaned.report.format];
    const name = sentName(file.name, settings);
    const out = new File([cleaned.data], name, { type });
    placeLike(out, file);
    return { kind: 'cleaned', file: out, removed: cleaned.report.removed, renamedFrom: renamedFrom(file, name), undated: name !== file.name };
  } catch (e) {
    const reason = describeFailure(e, 'video');
    return settings.passUncleanable ? uncleaned(file, reason, settings) : { kind: 'blocked', original: file, reason };
  }
}

/** How far the cleaning of one selection has got: each file as it is done, then the end. */
export interface Progress {
  done(): void;
  end(): void;
}

export interface CleanHooks {
  engine: () => Promise<MessagingEngine>;
  settings: () => Promise<Settings>;
  /**
   * Follows the cleaning of the images and videos of one selection (progress.ts tells the
   * user, naming a file as `shown` gives it).
   */
  progress?: (files: File[], shown: (file: File) => string) => Progress;
}

/** Every file of one selection, drop or paste; images and videos are held back when there is no engine at all. */
export async function cleanAll(originals: File[], hooks: CleanHooks): Promise<FileOutcome[]> {
  // A file that cannot even be sniffed goes to the engine, which fails it closed.
  const kinds = await Promise.all(originals.map((file) => kindOf(file).catch((): FileKind => 'image')));
  if (kinds.every((k) => k === 'other')) return originals.map((file) => ({ kind: 'untouched', file }));
  let progress: Progress | undefined;
  try {
    const settings = await hooks.settings();
    const mode = guardModeFor(settings, (await topSite()) ?? location.origin);
    if (mode === 'off') return originals.map((file) => ({ kind: 'untouched', file }));
    const engine = await hooks.engine();
    const work = originals.map((file, i) => ({ file, kind: kinds[i] }));
    progress = hooks.progress?.(originals.filter((_, i) => kinds[i] !== 'other'), (file) => shownName(file.name, settings));
    const outcomes = await bounded(work, AT_ONCE, async ({ file, kind }) => {
      const outcome = await cleanFile(engine, file, kind, settings, mode);
      if (kind !== 'other') progress?.done();
      return outcome;
    });
    return distinctNames(outcomes).map((o) => (o.kind === 'blocked' ? { ...o, shown: shownName(o.original.name, settings) } : o));
  } catch (e) {
    // No engine: images are held back (never sent uncleaned), other files still go.
    const reason = t('guardNoCleaner', (e as Error).message);
    return originals.map((file, i) =>
      kinds[i] !== 'other' ? { kind: 'blocked', original: file, reason } : { kind: 'untouched', file },
    );
  } finally {
    progress?.end();
  }
}

export function passed(outcomes: FileOutcome[]): File[] {
  return outcomes.flatMap((o) => (o.kind === 'blocked' ? [] : [o.file]));
}
