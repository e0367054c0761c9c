// The converter as people see it, in the toolbar popup and full-page: add
// images, choose the output, convert, compare, download. The batch does the
// work (batch.ts); this file only turns its state into DOM and clicks into calls.
import { change, formatBytes } from '../shared/sizes';
import { ext, isFirefox } from '../shared/ext';
import { list, t, tn } from '../shared/i18n';
import { currentSettings, type Settings } from '../shared/settings';
import { Batch, failedFor, isCurrent, totals, type Item } from './batch';
import {
  formatTitles,
  loadChoice,
  recipeOf,
  sanitiseChoice,
  saveChoice,
  summarise,
  usesAvifOptions,
  usesPixels,
  usesQuality,
  type Choice,
} from './choice';
import { fromClipboard, fromDrop, fromInput } from './collect';
import { Comparison } from './compare';
import { byId, h } from './dom';
import { discardHandOver, discardStaleHandOver, handOver, takeOver, type HandedOver } from './handoff';
import { Preview } from './preview';
import { displayable, madeCopy, needsCopy } from './display';
import { createRow, renderRow as drawRow, shownStage } from './row';
import { save } from './save';
import { DownloadCancelled, finished } from '../shared/download';
import { describeFailure } from '../shared/failure';
import { holdEngineThumbnails, stopEngineThumbnail } from './thumbnail';
import { zipOf } from './zip';

export type Layout = 'popup' | 'page';

/** From this many images on, the popup suggests the full-page converter. */
const BIG_BATCH = 5;
/** Dropped folders' unreadable entries named in the note, at most (then "and 3 more"). */
const UNREAD_NAMED = 5;

export interface Converter {
  /** Moves the images to the full-page converter in a new tab (and closes the popup). */
  openInTab(): Promise<void>;
}

export async function mountConverter(root: HTMLElement, layout: Layout): Promise<Converter> {
  // The markup, its classes and whether the choices start folded (they do in the popup, which
  // has little room) are in the page already: static/parts/converter.html, included at build time.
  const $ = <T extends HTMLElement>(id: string) => byId<T>(root, id);

  let settings: Settings = await currentSettings();
  let choice: Choice = await loadChoice(settings);
  let selected: Item | undefined;
  const rows = new Map<number, HTMLLIElement>();
  const comparison = new Comparison(root);
  const preview = new Preview();
  let previewTimer = 0;
  /** The latest scheduled preview: one scheduled before it gives way. */
  let previewTicket = 0;
  let previewBlob: Blob | undefined;

  // What the comparison shows as the original of images the browser cannot show.
  // Items whose copy is being asked for (or cannot be made): not asked for twice at once.
  const asking = new WeakSet<Item>();
  // HEIC thumbnails (a full decode each) wait while the batch converts.
  let idle = Promise.resolve();
  let becameIdle = () => {};
  holdEngineThumbnails(() => idle);
  const batch = new Batch({
    changed: (item) => {
      renderRow(item);
      renderOverall();
      if (item === selected && (item.stage === 'done' || item.stage === 'failed')) renderCompare();
      if (!selected && batch.items.includes(item)) select(item);
      else if (item === selected && item.stage === 'failed' && !item.result) renderCompare();
    },
    running: (running) => {
      if (running) {
        idle = new Promise((resolve) => (becameIdle = resolve));
        stopEngineThumbnail();
      } else becameIdle();
      // Cancel takes Convert's place while the batch runs (nothing beside them moves), and the focus with it.
      const [shown, hidden] = running ? [$<HTMLButtonElement>('cancel'), $<HTMLButtonElement>('convert')] : [$<HTMLButtonElement>('convert'), $<HTMLButtonElement>('cancel')];
      const hadFocus = document.activeElement === hidden;
      shown.hidden = false;
      hidden.hidden = true;
      root.classList.toggle('running', running);
      renderOverall();
      // After the render, which enables or disables Convert: a finished batch leaves it
      // with nothing to do, and a disabled button takes no focus (it fell to <body>); then
      // Download all, the next thing to do, has it.
      if (hadFocus) (shown.disabled ? $<HTMLButtonElement>('download-all') : shown).focus();
      if (!running) schedulePreview();
    },
  });

  // --- Adding images ---------------------------------------------------------------------
  /**
   * Dropped folders' entries that could not be read, named until the list is cleared: a later
   * drop adds its own, and does not take away a note the person may not have read yet.
   */
  let unreadSoFar: string[] = [];
  const add = (picked: readonly HandedOver[], unread: readonly string[] = []) => {
    if (unread.length) showUnread([...unreadSoFar, ...unread]);
    if (picked.length === 0) return;
    batch.add(picked);
    renderOverall();
  };
  function showUnread(unread: string[]): void {
    unreadSoFar = unread;
    const note = $('unread');
    const more = unread.length - UNREAD_NAMED;
    const named = list(more > 0 ? [...unread.slice(0, UNREAD_NAMED), tn('unreadMore', more)] : unread);
    note.textContent = unread.length ? tn('dropUnread', unread.length, named) : '';
    note.hidden = unread.length === 0;
  }
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
    void fromDrop(event.dataTransfer).then(({ picked, unread }) => add(picked, unread));
  });
  document.addEventListener('paste', (event) => {
    const picked = fromClipboard(event.clipboardData);
    if (picked.length === 0) return;
    event.preventDefault();
    add(picked);
  });

  // --- The choice ------------------------------------------------------------------------
  const format = $<HTMLSelectElement>('format');
  for (const [value, title] of Object.entries(formatTitles())) format.append(h('option', { value }, title));
  const quality = $<HTMLInputElement>('quality');
  const maxWidth = $<HTMLInputElement>('max-width');
  const maxHeight = $<HTMLInputElement>('max-height');
  const target = $<HTMLInputElement>('target');
  const avifSpeed = $<HTMLSelectElement>('avif-speed');
  const avifTenBit = $<HTMLInputElement>('avif-ten-bit');
  const showChoice = () => {
    format.value = choice.format;
    quality.value = String(choice.quality);
    $('quality-value').textContent = String(choice.quality);
    maxWidth.value = choice.maxWidth ? String(choice.maxWidth) : '';
    maxHeight.value = choice.maxHeight ? String(choice.maxHeight) : '';
    target.value = choice.targetKB ? String(choice.targetKB) : '';
    avifSpeed.value = String(choice.avifSpeed);
    avifTenBit.checked = choice.avifDepth === 10;
    $('avif-options').hidden = !usesAvifOptions(choice);
    $('choice-summary').textContent = summarise(choice);
    quality.disabled = !usesQuality(choice);
    for (const input of [maxWidth, maxHeight, target]) input.disabled = !usesPixels(choice);
    const profile = settings.keepIcc ? t('policyProfileKept') : t('policyProfileSrgb');
    const pixels =
      choice.format !== 'clean' ? t('policyUpright') : settings.keepOrientation ? t('policyOrientationKept') : t('policyOrientationRemoved');
    $('policy').textContent = `${profile} ${pixels}`;
  };
  // What the copies are made with now: the choice and the settings that reach the engine.
  const recipe = () => recipeOf(choice, settings);
  /** The choice or the settings changed: copies made before are out of date, the estimate too. */
  const recipeChanged = () => {
    showChoice();
    renderOverall();
    for (const item of batch.items) renderRow(item);
    renderCompare();
    schedulePreview();
  };
  const readChoice = () => {
    // Typed sizes are kept to whole pixels within the limits (a "-100" or "1.5" is not sent
    // to the engine): the form then shows what will be used.
    const typed = (input: HTMLInputElement) => (input.value.trim() === '' ? 0 : Number(input.value));
    choice = sanitiseChoice(
      {
        format: format.value,
        quality: Number(quality.value),
        maxWidth: Math.max(0, typed(maxWidth)),
        maxHeight: Math.max(0, typed(maxHeight)),
        targetKB: Math.max(0, typed(target)),
        avifSpeed: Number(avifSpeed.value),
        avifDepth: avifTenBit.checked ? 10 : 8,
      },
      choice,
    );
    void saveChoice(choice);
    recipeChanged();
  };
  for (const input of [format, maxWidth, maxHeight, target, avifSpeed, avifTenBit]) input.addEventListener('change', readChoice);
  quality.addEventListener('input', () => ($('quality-value').textContent = quality.value));
  quality.addEventListener('change', readChoice);
  ext.storage.onChanged.addListener((_changes, area) => {
    if (area !== 'sync') return;
    void currentSettings().then((s) => {
      // Most settings are the guard's: the copies and the estimate stay as they are for those.
      const before = JSON.stringify(recipe());
      settings = s;
      if (JSON.stringify(recipe()) === before) showChoice();
      else recipeChanged();
    });
  });
  showChoice();

  // --- Actions ---------------------------------------------------------------------------
  $('convert').addEventListener('click', () => {
    // A preview still waiting for its timer would otherwise start beside the batch.
    clearTimeout(previewTimer);
    // One being made is the copy the batch would make of that image (the same choice:
    // a new choice cancels it): it goes on, as the batch's.
    const making = preview.handOver();
    if (making) batch.offer(making);
    preview.cancel();
    void batch.convert(choice, settings);
  });
  $('cancel').addEventListener('click', () => batch.cancel());
  $('clear').addEventListener('click', () => {
    showUnread([]);
    batch.clear();
    preview.cancel();
    rows.clear();
    $('items').replaceChildren();
    selected = undefined;
    renderCompare();
    renderOverall();
  });
  // One zip at a time: the button stays disabled until it is saved (or not).
  let zipping = false;
  $('download-all').addEventListener('click', async () => {
    const button = $<HTMLButtonElement>('download-all');
    // The copies made as now chosen: one made with an earlier choice says so in its row, and is downloaded from there.
    const done = batch.items.filter((i) => isCurrent(i, recipe()));
    zipping = true;
    button.disabled = true;
    $('overall-status').textContent = tn('zipMaking', done.length);
    try {
      const zip = await zipOf(done.map((i) => ({ name: i.result.name, blob: i.result.blob })));
      await finished(await save(zip, 'traceless-images.zip'));
      $('overall-status').textContent = tn('zipSaved', done.length, formatBytes(zip.size));
    } catch (e) {
      // A dismissed "Save as" dialog: the status goes back to what it said.
      if (e instanceof DownloadCancelled) renderOverall();
      else $('overall-status').textContent = t('zipFailed', describeFailure(e));
    } finally {
      zipping = false;
      renderOverall(false);
    }
  });

  // --- Rendering -------------------------------------------------------------------------
  function renderRow(item: Item): void {
    if (!batch.items.includes(item)) {
      rows.get(item.id)?.remove();
      rows.delete(item.id);
      return;
    }
    let row = rows.get(item.id);
    if (!row) {
      row = createRow(item, {
        select: () => select(item),
        download: () => void downloadOne(item),
        remove: () => {
          // The focus was on this row's remove button: it goes to the next row's (the one
          // before when it was the last), or to adding images, instead of falling to <body>.
          const index = batch.items.indexOf(item);
          batch.remove(item);
          renderRow(item);
          if (selected === item) select(batch.items[0]);
          renderOverall();
          const next = batch.items[Math.min(index, batch.items.length - 1)];
          const nextRow = next && rows.get(next.id);
          (nextRow?.querySelector<HTMLButtonElement>('button.remove') ?? $<HTMLElement>('choose-files')).focus();
        },
      });
      rows.set(item.id, row);
      $('items').append(row);
    }
    drawRow(row, item, item === selected, recipe());
  }

  function renderOverall(touchStatus = true): void {
    const items = batch.items;
    const now = recipe();
    const pending = batch.pending(now).length;
    const ended = items.filter((i) => i.stage === 'done' || i.stage === 'failed' || i.stage === 'cancelled').length;
    const failed = items.filter((i) => i.stage === 'failed').length;
    const inBatch = items.filter((i) => i.stage !== 'new').length;
    const progress = $<HTMLProgressElement>('overall-progress');
    progress.max = Math.max(1, inBatch);
    progress.value = ended;
    const convert = $<HTMLButtonElement>('convert');
    convert.disabled = batch.running || pending === 0;
    convert.textContent =
      pending > 0 && pending < items.length ? tn('converterConvertMore', pending) : pending > 1 ? tn('converterConvertImages', pending) : t('converterConvert');
    const done = totals(items, now);
    $<HTMLButtonElement>('download-all').disabled = zipping || batch.running || done.count === 0;
    $<HTMLButtonElement>('clear').disabled = batch.running || items.length === 0;
    $('totals').textContent = done.count
      ? tn('totals', done.count, formatBytes(done.before), formatBytes(done.after), change(done.before, done.after))
      : '';
    // Popup-sized work only: a popup closes (and ends its workers) as soon as it loses focus.
    $('tab-hint').hidden = layout !== 'popup' || items.length < BIG_BATCH;
    if (!touchStatus) return;
    let status: string;
    if (items.length === 0) status = t('converterAddToBegin');
    else if (batch.running) status = failed ? t('statusConvertingFailed', ended, inBatch, failed) : t('statusConverting', ended, inBatch);
    else {
      // Counted against what is chosen now: copies and failures of an earlier choice say so in their rows.
      // Files that are not images fail as they are added: not "failed" conversions before any was tried.
      const unreadable = items.filter((i) => i.failedWith === 'unreadable').length;
      // As their rows say (one keeping an earlier choice's copy says failed or cancelled too).
      const failedNow = items.filter((i) => shownStage(i, now) === 'failed' && failedFor(i, now)).length;
      const cancelled = items.filter((i) => shownStage(i, now) === 'cancelled').length;
      if (done.count === 0 && cancelled === 0 && failedNow === unreadable) {
        status = [pending ? tn('statusReady', pending) : '', unreadable ? t('statusUnreadable', unreadable) : ''].filter(Boolean).join(' ');
      } else {
        const parts = [t('statusConverted', done.count)];
        if (failedNow) parts.push(t('statusFailed', failedNow));
        if (cancelled) parts.push(t('statusCancelled', cancelled));
        status = `${parts.join(', ')}.`;
      }
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
    if (isCurrent(item, recipe())) return item.result.blob;
    return previewBlob;
  }

  function renderCompare(): void {
    const item = selected;
    const shown = item && !item.video ? madeCopy(item.file) : undefined;
    comparison.show(item, item && afterOf(item), shown);
    if (item && !item.video && !shown && !asking.has(item)) {
      // A HEIC's "before" (or an AVIF's the browser refuses) is an engine-made copy: shown when
      // made, if still selected. Only the last few are kept (display.ts): one looked at again
      // later may be made again.
      asking.add(item);
      void needsCopy(item.file).then(async (needed) => {
        // Shown as it is (asked no more), or a copy made once; one that could not be made is not tried again.
        if (!needed) return;
        await idle;
        // Chosen again since? The copy is made when it is shown, one at a time.
        if (selected !== item) {
          asking.delete(item);
          return;
        }
        if (await displayable(item.file)) asking.delete(item);
        if (selected === item) renderCompare();
      });
    }
  }

  function schedulePreview(): void {
    clearTimeout(previewTimer);
    // A preview still being made is for an older choice: it must not land as this one's estimate.
    preview.cancel();
    // Nor may one already made be shown as this choice's "after" (or as a failed copy's).
    if (previewBlob) {
      previewBlob = undefined;
      renderCompare();
    }
    const estimate = $('estimate');
    const item = selected;
    // No estimate for a copy known to fail with this choice; one that failed with another
    // choice (an animation refused as JPEG) may well be made with this one.
    if (!item || batch.running || failedFor(item, recipe())) {
      estimate.textContent = '';
      return;
    }
    const current = afterOf(item);
    if (item.result && current === item.result.blob) {
      estimate.textContent = t('estimateCurrent', item.path, formatBytes(current.size), change(item.file.size, current.size));
      return;
    }
    estimate.textContent = t('estimateRunning', item.path);
    const ticket = ++previewTicket;
    previewTimer = setTimeout(async () => {
      // Not before the image is inspected: a video not yet known as one would be read whole.
      await batch.inspected(item);
      if (batch.running || ticket !== previewTicket || selected !== item) return;
      if (failedFor(item, recipe())) {
        estimate.textContent = '';
        return;
      }
      const outcome = await preview.make(item, choice, settings);
      if (!outcome || selected !== item) return;
      if (outcome.ok) {
        previewBlob = outcome.blob;
        if (outcome.made) batch.offer({ item, ...outcome.made });
        estimate.textContent = t('estimateDone', item.path, formatBytes(outcome.blob.size), change(item.file.size, outcome.blob.size));
      } else {
        previewBlob = undefined;
        estimate.textContent = outcome.message;
      }
      renderCompare();
    }, 300) as unknown as number;
  }

  /** Rows whose copy is being saved: a double click saved it twice ("a.jpg", "a (1).jpg"). */
  const saving = new Set<Item>();
  async function downloadOne(item: Item): Promise<void> {
    if (!item.result || saving.has(item)) return;
    saving.add(item);
    const name = item.result.name.slice(item.result.name.lastIndexOf('/') + 1);
    try {
      item.saveError = undefined;
      await save(item.result.blob, name);
    } catch (e) {
      if (!(e instanceof DownloadCancelled)) item.saveError = t('rowNotSaved', describeFailure(e));
    } finally {
      saving.delete(item);
    }
    renderRow(item);
  }

  /**
   * Set while the images are handed over: a second click's hand-over would clear the store
   * under the first's and write beside it, record by record, and the tab would take one
   * file's header with another's bytes (a read-only review, session 43).
   */
  let handingOver = false;
  async function openInTab(): Promise<void> {
    if (handingOver) return;
    handingOver = true;
    try {
      // Copies made here go too: the page does not make them again.
      const picked = batch.items.map(({ file, path, stage, result }) => ({ file, path, ...(stage === 'done' && result ? { result } : {}) }));
      try {
        if (picked.length) await handOver(picked);
      } catch (e) {
        $('overall-status').textContent = t('handoffFailed', describeFailure(e));
        return;
      }
      await ext.tabs.create({ url: ext.runtime.getURL(`converter.html?from=popup${picked.length ? '&handoff' : ''}`) });
      window.close();
    } finally {
      handingOver = false;
    }
  }

  if (layout === 'page' && new URLSearchParams(location.search).has('handoff')) {
    // The popup has closed by now: if its images cannot be taken, this page is the one to say so.
    try {
      add(await takeOver());
    } catch (e) {
      $('overall-status').textContent = t('handoffFailed', describeFailure(e));
      await discardHandOver();
    }
  } else {
    void discardStaleHandOver();
  }
  return { openInTab };
}
