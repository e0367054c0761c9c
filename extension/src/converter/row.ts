// One image's row in the converter's list: thumbnail, name (which selects it
// for the comparison), what it reveals, sizes, state, error, and its buttons.
import { revealsBriefly } from '../pages/explain';
import { change, formatBytes } from '../shared/sizes';
import { failedFor, isCurrent, type Item } from './batch';
import type { Recipe } from './choice';
import { h } from './dom';
import { t, type MessageKey } from '../shared/i18n';
import { drawFromCopy, drawThumbnail } from './thumbnail';

const STAGE_TEXT: Record<Item['stage'], MessageKey> = {
  new: 'stageNew',
  waiting: 'stageWaiting',
  working: 'stageWorking',
  done: 'stageDone',
  failed: 'stageFailed',
  cancelled: 'stageCancelled',
};

export interface RowActions {
  select(): void;
  download(): void;
  remove(): void;
}

export function createRow(item: Item, actions: RowActions): HTMLLIElement {
  const canvas = h('canvas', { class: 'thumb', width: 112, height: 112, 'aria-hidden': 'true' });
  void drawThumbnail(item.file, canvas).then((ok) => canvas.classList.toggle('none', !ok));
  const row = h(
    'li',
    { class: 'item', 'data-id': item.id },
    canvas,
    h('div', { class: 'info' },
      h('button', { type: 'button', class: 'name link', title: t('rowCompare') }),
      h('p', { class: 'reveals' }),
      h('p', { class: 'sizes' }),
      h('div', { class: 'state' }, h('progress', { class: 'item-progress', max: 1 }), h('span', { class: 'stage' })),
      h('p', { class: 'error', role: 'alert' }),
    ),
    h('div', { class: 'item-actions' },
      h('button', { type: 'button', class: 'download secondary' }, t('rowDownload')),
      h('button', { type: 'button', class: 'remove secondary', 'aria-label': t('rowRemoveName', item.path), title: t('rowRemove') }, '×'),
    ),
  );
  row.querySelector('.name')!.addEventListener('click', actions.select);
  row.querySelector('.download')!.addEventListener('click', actions.download);
  row.querySelector('.remove')!.addEventListener('click', actions.remove);
  return row;
}

/**
 * The stage a row shows: an item whose copy is an earlier choice's shows what became of the
 * current one (it failed, or its run was cancelled), though that copy can still be saved; one
 * that failed with another choice than the current one is ready to be made with this one (as
 * the status line counts it, and its size estimate shows).
 */
export function shownStage(item: Item, recipe: Recipe): Item['stage'] {
  if (item.stage === 'failed' && !failedFor(item, recipe)) return 'new';
  if (item.stage !== 'done' || isCurrent(item, recipe)) return item.stage;
  if (failedFor(item, recipe)) return 'failed';
  return item.interrupted ? 'cancelled' : 'done';
}

/** Brings the row up to date with its item; `recipe` tells whether its copy is current. */
export function renderRow(row: HTMLLIElement, item: Item, selected: boolean, recipe: Recipe): void {
  const q = <T extends Element>(selector: string) => row.querySelector<T>(selector)!;
  const stage = shownStage(item, recipe);
  row.dataset.stage = stage;
  row.classList.toggle('selected', selected);
  const name = q<HTMLButtonElement>('.name');
  name.textContent = item.path;
  name.setAttribute('aria-pressed', String(selected));

  const reveals = item.report ? revealsBriefly(item.report) : undefined;
  const revealsLine = q<HTMLElement>('.reveals');
  revealsLine.textContent = item.report
    ? reveals ? t('rowReveals', reveals) : t('rowRevealsNothing')
    : item.stage === 'failed' ? '' : t('rowReading');
  // The popup shows two lines of it; the whole list on hover.
  revealsLine.title = revealsLine.textContent;

  const result = item.result;
  if (result && item.stage === 'done') void drawFromCopy(result.blob, q<HTMLCanvasElement>('canvas.thumb'));
  const current = isCurrent(item, recipe);
  const sizes = q<HTMLElement>('.sizes');
  let both = result && t('rowSizes', formatBytes(item.file.size), formatBytes(result.blob.size), change(item.file.size, result.blob.size));
  // Fewer pixels than the image (a size limit or "At most … KB", which shrinks an image it
  // cannot fit otherwise): said, with the copy's own size, not left to be found later.
  if (both && result && item.report && result.width * result.height < item.report.width * item.report.height) {
    both = t('rowResized', both, String(result.width), String(result.height));
  }
  // A transparent image made JPEG: its transparent areas are white now, which a thumbnail on
  // a white page does not show.
  if (both && result && 'flattened' in result.report && result.report.flattened) both = t('rowFlattened', both);
  sizes.textContent = both ? (current ? both : t('rowOtherSettings', both)) : formatBytes(item.file.size);
  sizes.dataset.before = String(item.file.size);
  if (result) sizes.dataset.after = String(result.blob.size);
  else delete sizes.dataset.after;

  const progress = q<HTMLProgressElement>('.item-progress');
  // Indeterminate while the engine works: a single encode reports no progress of its own.
  if (item.stage === 'working') progress.removeAttribute('value');
  else progress.value = item.stage === 'done' ? 1 : 0;
  q('.stage').textContent = t(STAGE_TEXT[stage]);
  // A failure with another choice than the current one is not this choice's: not said under it.
  const otherChoicesFailure = item.failedWith !== undefined && !failedFor(item, recipe);
  q('.error').textContent = item.saveError ?? (otherChoicesFailure ? '' : (item.error ?? ''));

  const download = q<HTMLButtonElement>('.download');
  download.disabled = !(result && item.stage === 'done');
  download.setAttribute('aria-label', t('rowDownloadName', result?.name ?? item.path));
  q<HTMLButtonElement>('.remove').disabled = item.stage === 'working' || item.stage === 'waiting';
}
