// The converter as people see it, in the toolbar popup and full-page: add
// images, choose the output, convert, compare, download. The batch does the
// work (batch.ts); this file only turns its state into DOM and clicks into calls.
import { change, formatBytes, revealsBriefly } from '../pages/explain';
import { downloadBlob } from '../shared/download';
import { ext, isFirefox } from '../shared/ext';
import type { SaveReply, SaveRequest } from '../shared/messages';
import { currentSettings, type Settings } from '../shared/settings';
import { Batch, totals, type Item } from './batch';
import { FORMAT_TITLES, loadChoice, sameChoice, saveChoice, usesPixels, usesQuality, type Choice, type TargetFormat } from './choice';
import { fromClipboard, fromDrop, fromInput, type Picked } from './collect';
import { byId, h } from './dom';
import { handOver, takeOver } from './handoff';
import { Preview } from './preview';
import { drawThumbnail } from './thumbnail';
import { zipOf } from './zip';

export type Layout = 'popup' | 'page';

const STAGE_TEXT: Record<Item['stage'], string> = {
  new: 'Ready',
  waiting: 'Waiting',
  working: 'Converting…',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export interface Converter {
  /** Moves the images to the full-page converter in a new tab (and closes the popup). */
  openInTab(): Promise<void>;
}

export async function mountConverter(root: HTMLElement, layout: Layout): Promise<Converter> {
  // The markup is in the page already (static/parts/converter.html, included at build time).
  root.classList.add('converter', `converter-${layout}`);
  // The popup has little room: its output choices fold into one line until opened.
  if (layout === 'page') root.querySelector('#choices')!.setAttribute('open', '');
  const $ = <T extends HTMLElement>(id: string) => byId<T>(root, id);

  let settings: Settings = await currentSettings();
  let choice: Choice = await loadChoice(settings);
  let selected: Item | undefined;
  const rows = new Map<number, HTMLLIElement>();
  const urls = new Map<string, string>();
  const preview = new Preview();
  let previewTimer = 0;
  let previewBlob: Blob | undefined;

  const batch = new Batch({
    changed: (item) => {
      renderRow(item);
      renderOverall();
      if (item === selected && (item.stage === 'done' || item.stage === 'failed')) renderCompare();
      if (!selected && batch.items.includes(item)) select(item);
      else if (item === selected && item.stage === 'failed' && !item.result) renderCompare();
    },
    running: (running) => {
      // Cancel takes Convert's place while the batch runs (nothing beside them moves), and the focus with it.
      const [shown, hidden] = running ? [$('cancel'), $('convert')] : [$('convert'), $('cancel')];
      const hadFocus = document.activeElement === hidden;
      shown.hidden = false;
      hidden.hidden = true;
      if (hadFocus) shown.focus();
      root.classList.toggle('running', running);
      renderOverall();
      if (!running) schedulePreview();
    },
  });

  // --- Adding images ---------------------------------------------------------------------
  const add = (picked: Picked[]) => {
    if (picked.length === 0) return;
    batch.add(picked);
    renderOverall();
  };
  const fileInput = $<HTMLInputElement>('file-input');
  const folderInput = $<HTMLInputElement>('folder-input');
  // Firefox closes a popup when a file dialog opens (bug 1292701), and the files with it:
  // there the popup's buttons open the full-page converter instead.
  const pickInTab = layout === 'popup' && isFirefox();
  $('choose-files').addEventListener('click', () => (pickInTab ? void openInTab() : fileInput.click()));
  $('choose-folder').addEventListener('click', () => (pickInTab ? void openInTab() : folderInput.click()));
  for (const input of [fileInput, folderInput]) {
    input.addEventListener('change', () => {
      add(fromInput(input));
      input.value = '';
    });
  }
  const drop = $('drop');
  document.addEventListener('dragover', (event) => {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    drop.classList.add('over');
  });
  document.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null) drop.classList.remove('over');
  });
  document.addEventListener('drop', (event) => {
    if (!event.dataTransfer) return;
    event.preventDefault();
    drop.classList.remove('over');
    void fromDrop(event.dataTransfer).then(add);
  });
  document.addEventListener('paste', (event) => {
    const picked = fromClipboard(event.clipboardData);
    if (picked.length === 0) return;
    event.preventDefault();
    add(picked);
  });

  // --- The choice ------------------------------------------------------------------------
  const format = $<HTMLSelectElement>('format');
  for (const [value, title] of Object.entries(FORMAT_TITLES)) format.append(h('option', { value }, title));
  const quality = $<HTMLInputElement>('quality');
  const maxWidth = $<HTMLInputElement>('max-width');
  const maxHeight = $<HTMLInputElement>('max-height');
  const target = $<HTMLInputElement>('target');
  const showChoice = () => {
    format.value = choice.format;
    quality.value = String(choice.quality);
    $('quality-value').textContent = String(choice.quality);
    maxWidth.value = choice.maxWidth ? String(choice.maxWidth) : '';
    maxHeight.value = choice.maxHeight ? String(choice.maxHeight) : '';
    target.value = choice.targetKB ? String(choice.targetKB) : '';
    $('choice-summary').textContent = summarise(choice);
    quality.disabled = !usesQuality(choice);
    for (const input of [maxWidth, maxHeight, target]) input.disabled = !usesPixels(choice);
    $('policy').textContent =
      `Metadata is always removed. Colour profile: ${settings.keepIcc ? 'kept' : 'converted to sRGB'}` +
      (choice.format === 'clean'
        ? `; orientation ${settings.keepOrientation ? 'kept' : 'removed'}. Pixels are untouched.`
        : '; the picture is turned upright.');
  };
  const readChoice = () => {
    choice = {
      format: format.value as TargetFormat,
      quality: Number(quality.value),
      maxWidth: Number(maxWidth.value) || 0,
      maxHeight: Number(maxHeight.value) || 0,
      targetKB: Number(target.value) || 0,
    };
    showChoice();
    void saveChoice(choice);
    renderOverall();
    for (const item of batch.items) renderRow(item);
    schedulePreview();
  };
  for (const input of [format, maxWidth, maxHeight, target]) input.addEventListener('change', readChoice);
  quality.addEventListener('input', () => ($('quality-value').textContent = quality.value));
  quality.addEventListener('change', readChoice);
  ext.storage.onChanged.addListener((_changes, area) => {
    if (area !== 'sync') return;
    void currentSettings().then((s) => {
      settings = s;
      showChoice();
    });
  });
  showChoice();

  // --- Actions ---------------------------------------------------------------------------
  $('convert').addEventListener('click', () => {
    preview.cancel();
    void batch.convert(choice, settings);
  });
  $('cancel').addEventListener('click', () => batch.cancel());
  $('clear').addEventListener('click', () => {
    batch.clear();
    preview.cancel();
    for (const url of urls.values()) URL.revokeObjectURL(url);
    urls.clear();
    rows.clear();
    $('items').replaceChildren();
    selected = undefined;
    renderCompare();
    renderOverall();
  });
  $('download-all').addEventListener('click', async () => {
    const button = $<HTMLButtonElement>('download-all');
    const done = batch.items.filter((i) => i.stage === 'done' && i.result);
    button.disabled = true;
    $('overall-status').textContent = `Making a zip of ${done.length} images…`;
    try {
      const zip = await zipOf(done.map((i) => ({ name: i.result!.name, blob: i.result!.blob })));
      await save(zip, 'traceless-images.zip');
      $('overall-status').textContent = `Saved a zip of ${done.length} images (${formatBytes(zip.size)}).`;
    } catch (e) {
      $('overall-status').textContent = `The zip could not be saved: ${e instanceof Error ? e.message : e}`;
    } finally {
      renderOverall(false);
    }
  });
  $('compare-position').addEventListener('input', () => {
    $('compare-view').style.setProperty('--position', `${$<HTMLInputElement>('compare-position').value}%`);
  });

  // --- Rendering -------------------------------------------------------------------------
  function objectUrl(key: string, blob: Blob): string {
    let url = urls.get(key);
    if (!url) {
      url = URL.createObjectURL(blob);
      urls.set(key, url);
    }
    return url;
  }

  function renderRow(item: Item): void {
    if (!batch.items.includes(item)) {
      rows.get(item.id)?.remove();
      rows.delete(item.id);
      return;
    }
    let row = rows.get(item.id);
    if (!row) {
      const canvas = h('canvas', { class: 'thumb', width: 112, height: 112, 'aria-hidden': 'true' });
      void drawThumbnail(item.file, canvas).then((ok) => canvas.classList.toggle('none', !ok));
      row = h(
        'li',
        { class: 'item', 'data-id': item.id },
        canvas,
        h('div', { class: 'info' },
          h('button', { type: 'button', class: 'name link' }),
          h('p', { class: 'reveals' }),
          h('p', { class: 'sizes' }),
          h('div', { class: 'state' }, h('progress', { class: 'item-progress', max: 1 }), h('span', { class: 'stage' })),
          h('p', { class: 'error', role: 'alert' }),
        ),
        h('div', { class: 'item-actions' },
          h('button', { type: 'button', class: 'download secondary' }, 'Download'),
          h('button', { type: 'button', class: 'remove secondary', 'aria-label': `Remove ${item.path}`, title: 'Remove' }, '×'),
        ),
      );
      row.querySelector('.name')!.addEventListener('click', () => select(item));
      row.querySelector('.download')!.addEventListener('click', () => void downloadOne(item));
      row.querySelector('.remove')!.addEventListener('click', () => {
        batch.remove(item);
        renderRow(item);
        if (selected === item) select(batch.items[0]);
        renderOverall();
      });
      rows.set(item.id, row);
      $('items').append(row);
    }
    const q = <T extends Element>(selector: string) => row!.querySelector<T>(selector)!;
    row.dataset.stage = item.stage;
    row.classList.toggle('selected', item === selected);
    const name = q<HTMLButtonElement>('.name');
    name.textContent = item.path;
    name.setAttribute('aria-pressed', String(item === selected));
    name.title = 'Compare before and after';
    const reveals = item.report ? revealsBriefly(item.report) : undefined;
    const revealsLine = q<HTMLElement>('.reveals');
    revealsLine.textContent = item.report
      ? reveals ? `Reveals: ${reveals}` : 'Reveals nothing beyond the picture'
      : item.stage === 'failed' ? '' : 'Reading…';
    // The popup shows two lines of it; the whole list on hover.
    revealsLine.title = revealsLine.textContent;
    const result = item.result;
    const current = result && sameChoice(result.choice, choice);
    const sizes = q<HTMLElement>('.sizes');
    sizes.textContent = result
      ? `${formatBytes(item.file.size)} → ${formatBytes(result.blob.size)} (${change(item.file.size, result.blob.size)})${current ? '' : ' · made with other settings'}`
      : formatBytes(item.file.size);
    sizes.dataset.before = String(item.file.size);
    if (result) sizes.dataset.after = String(result.blob.size);
    else delete sizes.dataset.after;
    const progress = q<HTMLProgressElement>('.item-progress');
    // Indeterminate while the engine works: a single encode reports no progress of its own.
    if (item.stage === 'working') progress.removeAttribute('value');
    else progress.value = item.stage === 'done' ? 1 : 0;
    q('.stage').textContent = STAGE_TEXT[item.stage];
    q('.error').textContent = item.error ?? '';
    const download = q<HTMLButtonElement>('.download');
    download.disabled = !(result && item.stage === 'done');
    download.setAttribute('aria-label', `Download ${result?.name ?? item.path}`);
    q<HTMLButtonElement>('.remove').disabled = item.stage === 'working' || item.stage === 'waiting';
  }

  function renderOverall(touchStatus = true): void {
    const items = batch.items;
    const pending = batch.pending(choice).length;
    const finished = items.filter((i) => i.stage === 'done' || i.stage === 'failed' || i.stage === 'cancelled').length;
    const failed = items.filter((i) => i.stage === 'failed').length;
    const inBatch = items.filter((i) => i.stage !== 'new').length;
    const progress = $<HTMLProgressElement>('overall-progress');
    progress.max = Math.max(1, inBatch);
    progress.value = finished;
    const convert = $<HTMLButtonElement>('convert');
    convert.disabled = batch.running || pending === 0;
    convert.textContent = pending > 0 && pending < items.length ? `Convert ${pending} more` : pending > 1 ? `Convert ${pending} images` : 'Convert';
    const done = totals(items);
    $<HTMLButtonElement>('download-all').disabled = batch.running || done.count === 0;
    $<HTMLButtonElement>('clear').disabled = batch.running || items.length === 0;
    $('totals').textContent = done.count
      ? `${done.count} ${done.count === 1 ? 'image' : 'images'}: ${formatBytes(done.before)} → ${formatBytes(done.after)} (${change(done.before, done.after)})`
      : '';
    if (!touchStatus) return;
    let status: string;
    if (items.length === 0) status = 'Add images to begin.';
    else if (batch.running) status = `Converting: ${finished} of ${inBatch} done${failed ? `, ${failed} failed` : ''}.`;
    else if (inBatch === 0) status = `${items.length} ${items.length === 1 ? 'image' : 'images'} ready.`;
    else {
      const cancelled = items.filter((i) => i.stage === 'cancelled').length;
      status = `${done.count} converted` + (failed ? `, ${failed} failed` : '') + (cancelled ? `, ${cancelled} cancelled` : '') + '.';
    }
    $('overall-status').textContent = status;
  }

  function select(item: Item | undefined): void {
    const previous = selected;
    selected = item;
    if (previous) renderRow(previous);
    if (item) renderRow(item);
    previewBlob = undefined;
    renderCompare();
    schedulePreview();
  }

  /** The "after" to show: the batch's copy when current, else the preview. */
  function afterOf(item: Item): Blob | undefined {
    if (item.result && item.stage === 'done' && sameChoice(item.result.choice, choice)) return item.result.blob;
    return previewBlob;
  }

  function renderCompare(): void {
    const section = $('compare');
    const item = selected;
    section.hidden = !item;
    if (!item) return;
    $('compare-name').textContent = item.path;
    const before = $<HTMLImageElement>('before');
    const beforeUrl = objectUrl(`file:${item.id}`, item.file);
    if (before.src !== beforeUrl) before.src = beforeUrl;
    const after = $<HTMLImageElement>('after');
    const blob = afterOf(item);
    if (blob) {
      const key = `after:${item.id}`;
      const old = urls.get(key);
      if (old && after.dataset.blobSize !== String(blob.size)) {
        URL.revokeObjectURL(old);
        urls.delete(key);
      }
      after.src = objectUrl(key, blob);
      after.dataset.blobSize = String(blob.size);
      after.hidden = false;
    } else {
      after.hidden = true;
      after.removeAttribute('src');
    }
    const facts = [`Before: ${item.report ? `${item.report.width} × ${item.report.height}, ` : ''}${formatBytes(item.file.size)}`];
    if (blob) {
      const size = item.result && blob === item.result.blob ? `${item.result.width} × ${item.result.height}, ` : '';
      facts.push(`after: ${size}${formatBytes(blob.size)} (${change(item.file.size, blob.size)})`);
    }
    $('compare-facts').textContent = facts.join(' · ');
  }

  function schedulePreview(): void {
    clearTimeout(previewTimer);
    const estimate = $('estimate');
    const item = selected;
    if (!item || batch.running || item.stage === 'failed') {
      estimate.textContent = '';
      return;
    }
    const current = afterOf(item);
    if (item.result && current === item.result.blob) {
      estimate.textContent = `${item.path}: ${formatBytes(current.size)} (${change(item.file.size, current.size)}).`;
      return;
    }
    estimate.textContent = `Estimating the size of ${item.path}…`;
    previewTimer = setTimeout(async () => {
      const outcome = await preview.make(item, choice, settings);
      if (!outcome || selected !== item) return;
      if (outcome.ok) {
        previewBlob = outcome.blob;
        estimate.textContent = `${item.path} would be ${formatBytes(outcome.blob.size)} (${change(item.file.size, outcome.blob.size)}).`;
      } else {
        previewBlob = undefined;
        estimate.textContent = outcome.message;
      }
      renderCompare();
    }, 300) as unknown as number;
  }

  async function downloadOne(item: Item): Promise<void> {
    if (!item.result) return;
    const name = item.result.name.slice(item.result.name.lastIndexOf('/') + 1);
    try {
      await save(item.result.blob, name);
    } catch (e) {
      item.error = `Not saved: ${e instanceof Error ? e.message : e}`;
      renderRow(item);
    }
  }

  async function openInTab(): Promise<void> {
    const picked = batch.items.map(({ file, path }) => ({ file, path }));
    if (picked.length) await handOver(picked);
    await ext.tabs.create({ url: ext.runtime.getURL(`converter.html?from=popup${picked.length ? '&handoff' : ''}`) });
    window.close();
  }

  if (layout === 'page' && new URLSearchParams(location.search).has('handoff')) add(await takeOver());
  return { openInTab };
}

/** "WebP, quality 80, at most 1920 × any": the choice in one line. */
function summarise(choice: Choice): string {
  const parts = [choice.format === 'clean' ? 'metadata removed only' : choice.format === 'keep' ? 'same format' : choice.format.toUpperCase().replace('WEBP', 'WebP')];
  if (choice.format === 'clean') return parts[0];
  if (usesQuality(choice)) parts.push(choice.targetKB ? `at most ${choice.targetKB} KB` : `quality ${choice.quality}`);
  if (choice.maxWidth || choice.maxHeight) parts.push(`fit ${choice.maxWidth || 'any'} × ${choice.maxHeight || 'any'}`);
  return parts.join(', ');
}

/**
 * Firefox revokes a page's object URLs when the page closes, and a popup closes as soon as
 * the download panel or a "Save as" dialog takes focus: there the background saves.
 */
async function save(blob: Blob, filename: string): Promise<number> {
  if (!isFirefox()) return downloadBlob(blob, filename);
  const request: SaveRequest = { type: 'traceless:save', blob, filename };
  const reply = (await ext.runtime.sendMessage(request)) as SaveReply;
  if ('error' in reply) throw new Error(reply.error);
  return reply.id;
}
