// What each context-menu item does: get the image, run the engine, save the
// result, and tell the user, whatever happens.
import type { CleanReport, Engine, Format } from '../engine/types';
import { MIME } from '../engine/types';
import { acquire } from '../shared/acquire';
import { compressOrClean, type Compressed } from '../shared/compress';
import { download, DownloadCancelled, finished, writtenName } from '../shared/download';
import { describeFailure } from '../shared/failure';
import { ext } from '../shared/ext';
import type { ImageSource } from '../shared/messages';
import { baseName, outputName } from '../shared/names';
import { reportPageAddress } from '../shared/report-link';
import { convertOptionsOf, FORMAT_NAMES, loadSettings, policyOf, PRESETS } from '../shared/settings';
import type { MenuAction } from './menus';
import { notify, WorkingNotice } from './notify';
import { whileAwake } from './awake';
import { summarise } from '../pages/explain';
import { t } from '../shared/i18n';
import { formatBytes } from '../shared/sizes';

export interface Saved {
  /** The name asked for. */
  filename: string;
  /** The name the browser wrote it under (" (1)" added when one was taken). */
  writtenAs: string;
  downloadId: number;
  bytesIn: number;
  bytesOut: number;
  summary: string;
  /** "label: value" of everything the saved copy no longer carries. */
  removed: string[];
}

/** What the user was told. `saved` is absent for "reveal", which opens a page instead. */
export type Outcome = { ok: true; saved?: Saved } | { ok: false; message: string };

/** Runs an action and tells the user how it went; never rejects. */
export async function runAction(engine: Engine, action: MenuAction, source: ImageSource): Promise<Outcome> {
  if (action.kind === 'reveal') return reveal(source);
  const working = new WorkingNotice(source, workingWords(action, baseName(source.srcUrl)));
  try {
    const saved = await whileAwake(process(engine, action, source, working));
    await working.end(t('menuSaved', saved.writtenAs, saved.summary), 'info');
    return { ok: true, saved };
  } catch (e) {
    const message = t('menuNothingSaved', describeFailure(e));
    // A dismissed "Save as" dialog was the person's own choice: said, not flagged as an error.
    await working.end(message, e instanceof DownloadCancelled ? 'info' : 'error');
    return { ok: false, message };
  }
}

/** What a working notice says while the image is fetched and made. */
function workingWords(action: Exclude<MenuAction, { kind: 'reveal' }>, name: string): string {
  switch (action.kind) {
    case 'clean':
      return t('menuWorkingClean', name);
    case 'compress':
      return t('menuWorkingCompress', name);
    case 'save-as':
      return t('menuWorkingConvert', name, FORMAT_NAMES[action.format]);
  }
}

/** Opens the report page beside the image's tab, else in its window (or on its own, when that has closed). */
async function reveal(source: ImageSource): Promise<Outcome> {
  try {
    await openBeside(await reportPageAddress(source), source);
    return { ok: true };
  } catch (e) {
    const message = describeFailure(e);
    await notify(source, message, 'error');
    return { ok: false, message };
  }
}

/**
 * In the image's own window: the report's address names the page and the image, so a
 * private window's report must not land in a normal window's history (Firefox puts a new
 * tab in the focused window, which may be another by then).
 */
async function openBeside(url: string, source: ImageSource): Promise<void> {
  const tab = source.tabId !== undefined ? await ext.tabs.get(source.tabId).catch(() => undefined) : undefined;
  const windowId = tab?.windowId ?? source.windowId;
  if (windowId !== undefined) {
    try {
      await ext.tabs.create({ url, windowId, ...(tab?.id !== undefined ? { openerTabId: tab.id } : {}) });
      return;
    } catch {
      // Its window is closing: a window of the same kind instead.
    }
  }
  if (source.incognito) await ext.windows.create({ url, incognito: true });
  else await ext.tabs.create({ url });
}

async function process(engine: Engine, action: Exclude<MenuAction, { kind: 'reveal' }>, source: ImageSource, working: WorkingNotice): Promise<Saved> {
  const settings = await loadSettings();
  const { bytes, url, redrawn } = await acquire(source);
  let data: Uint8Array;
  let format: Format;
  let suffix: string;
  let summary: string;
  let removed: string[];
  if (action.kind === 'clean') {
    const result = await engine.clean(bytes, policyOf(settings));
    ({ data } = result);
    format = result.report.format;
    suffix = '-clean';
    summary = result.report.removed.length ? t('menuRemovedList', summarise(result.report.removed)) : t('menuNothingPersonal');
    if (gainMapKept(result.report)) summary += ` ${t('menuGainMapKept')}`;
    removed = result.report.removed.map((f) => `${f.label}: ${f.value}`);
  } else {
    const overrides =
      action.kind === 'save-as'
        ? { format: action.format, maxDimension: 0 }
        : action.preset === 'settings'
          ? {}
          : PRESETS.find((p) => p.id === action.preset);
    const options = convertOptionsOf(settings, overrides ?? {}, bytes);
    // "Compress" asks for a smaller file: never a larger one (shared/compress.ts).
    const made: Compressed =
      action.kind === 'compress'
        ? await compressOrClean(engine, bytes, options, policyOf(settings))
        : { kind: 'converted', output: await engine.convert(bytes, options) };
    ({ data } = made.output);
    format = made.output.report.format;
    removed = made.output.report.removed.map((f) => `${f.label}: ${f.value}`);
    if (made.kind === 'cleaned') {
      suffix = '-clean';
      summary = t('menuNotSmaller', formatBytes(bytes.length), formatBytes(data.length));
    } else {
      suffix = action.kind === 'compress' ? '-compressed' : '-clean';
      summary = t('menuConverted', formatBytes(bytes.length), formatBytes(data.length));
      if (made.output.report.flattened) summary += ` ${t('menuFlattened')}`;
    }
  }
  if (redrawn) summary += ` ${t('menuRedrawn')}`;
  const filename = outputName(url, suffix, format);
  // Until the download has finished (a "Save as" dialog may be open): the notice says so.
  working.say(t('menuWorkingSave', filename));
  const downloadId = await download(data, MIME[format], filename, source.incognito === true);
  await finished(downloadId);
  const writtenAs = await writtenName(downloadId, filename);
  return { filename, writtenAs, downloadId, bytesIn: bytes.length, bytesOut: data.length, summary, removed };
}

/** An Ultra HDR photo's gain map (its HDR rendition) survived cleaning. */
function gainMapKept(report: CleanReport): boolean {
  return report.blocks.some((b) => b.kind === 'gain_map' && b.action === 'kept');
}
