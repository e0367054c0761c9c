// The converter's batch: the images and videos the user added, what each
// reveals, and their converted copies. Work runs in engine workers, a few at a
// time, so the page stays responsive and memory stays bounded however many
// images there are: each worker holds one image's pixels at a time, and finished
// copies are kept as Blobs (the browser may keep those out of the page's memory).
// Videos are cleaned here, never read whole (engine/video.ts), and never re-encoded.
import { refuseBeforeReading } from '../engine/unreadable';
import { cleanVideo, inspectVideo, videoFormat } from '../engine/video';
import { WorkerEngine } from '../engine/worker-client';
import { MIME, type CleanReport, type ConvertReport, type Format, type InspectReport, type Output } from '../engine/types';
import { describeFailure } from '../shared/failure';
import { looksLikeVideo } from '../shared/file-kinds';
import { t } from '../shared/i18n';
import { renamed } from '../shared/names';
import type { Settings } from '../shared/settings';
import { recipeOf, sameRecipe, workOf, type Choice, type Recipe, type Work } from './choice';
import { convertKept, forget } from './display';
import type { Helper } from './split-encode';

export type Stage = 'new' | 'waiting' | 'working' | 'done' | 'failed' | 'cancelled';

export interface Result {
  blob: Blob;
  /** The download's name (and its path inside the zip). */
  name: string;
  format: Format;
  width: number;
  height: number;
  /** What the copy was made with: a copy made with another is out of date. */
  recipe: Recipe;
  report: CleanReport | ConvertReport;
}

export interface Item {
  readonly id: number;
  readonly file: File;
  /** The name as the user knows it: a relative path when a folder was added. */
  readonly path: string;
  /** What the image reveals; undefined until inspected. */
  report?: InspectReport;
  /** A video (known once inspected): cleaned losslessly, never re-encoded. */
  video?: 'mp4' | 'mov';
  stage: Stage;
  result?: Result;
  /** Plain words, for the user, when the image could not be read or converted. */
  error?: string;
  /** The recipe a conversion failed with (trying it again would fail again); `unreadable`: any would. */
  failedWith?: Recipe | 'unreadable';
  /** The last run was cancelled before this one's copy was made: its copy is an earlier choice's. */
  interrupted?: boolean;
  /** Why its copy was not saved, in plain words: said whatever the choice (its own field, not `error`). */
  saveError?: string;
}

/**
 * A copy made outside the batch (the estimate's preview), and the engine call that made
 * it; or one still being made, with the worker making it (the batch ends it).
 */
export interface MadeCopy {
  item: Item;
  /** A promise while the preview is still reading the file. */
  work: Work | Promise<Work>;
  output: Output<CleanReport | ConvertReport> | Promise<Output<CleanReport | ConvertReport>>;
  engine?: WorkerEngine;
}

export interface BatchEvents {
  /** An item changed (added, inspected, started, finished...). */
  changed(item: Item): void;
  /** The batch started or stopped running. */
  running(running: boolean): void;
}

/** Why a video is not converted: there is no video encoder here. */
export class VideoNotReencoded extends Error {
  constructor() {
    super(t('videosNotReencoded'));
  }
}

/**
 * Parallel workers. Each holds one image's pixels and the wasm memory it grew to
 * (about 300 MB for a 12-megapixel photo), so two keep a batch under 1 GB; a
 * machine reporting little memory gets one.
 */
export function workerCount(): number {
  const cores = navigator.hardwareConcurrency || 2;
  const memoryGB = (navigator as { deviceMemory?: number }).deviceMemory ?? 8;
  return memoryGB <= 2 ? 1 : Math.min(2, cores);
}

/**
 * Whether an offered copy is the one the batch would make now. A copy whose file could not
 * be read is not: the batch makes its own, and says why it failed.
 */
async function madeAlike(made: MadeCopy, choice: Choice, settings: Settings): Promise<boolean> {
  try {
    const [buffer, work] = await Promise.all([made.item.file.arrayBuffer(), made.work]);
    return JSON.stringify(workOf(choice, settings, new Uint8Array(buffer))) === JSON.stringify(work);
  } catch {
    return false;
  }
}

/** What a batch run makes: the choice, the settings it was made with, and the two as a recipe. */
interface Order {
  choice: Choice;
  settings: Settings;
  recipe: Recipe;
}

/** Preview copies kept for the batch to take (each up to an image's converted size). */
const KEPT_PREVIEWS = 2;

export class Batch {
  readonly items: Item[] = [];
  private nextId = 1;
  /** Bumped by cancel(): lanes of an older generation stop taking work. */
  private generation = 0;
  private readonly engines = new Set<WorkerEngine>();
  private inspector?: WorkerEngine;
  private inspecting: Promise<void> = Promise.resolve();
  /** Each item's inspection, settled when it is done: whether it is a video is known then. */
  private readonly inspections = new WeakMap<Item, Promise<void>>();
  /** The previews' copies, by image: each taken as the image's copy when the batch would make the same. */
  private readonly made = new Map<Item, MadeCopy>();
  private isRunning = false;

  constructor(private readonly events: BatchEvents) {}

  get running(): boolean {
    return this.isRunning;
  }

  /** `result`: a copy made before (in the popup, for "Open in a tab"), kept as the item's. */
  add(files: Iterable<{ file: File; path: string; result?: Result }>): Item[] {
    const added: Item[] = [];
    for (const { file, path, result } of files) {
      const item: Item = { id: this.nextId++, file, path, stage: result ? 'done' : 'new', ...(result ? { result } : {}) };
      this.items.push(item);
      added.push(item);
      this.events.changed(item);
    }
    // One at a time, in the order added: inspection is quick and needs no pixels.
    for (const item of added) {
      // A failure here is a bug (inspect() catches the engine's): it is logged, and the
      // chain goes on, since Convert and the estimate wait on it.
      this.inspecting = this.inspecting.then(() => this.inspect(item)).catch((e: unknown) => console.error(e));
      this.inspections.set(item, this.inspecting);
    }
    this.inspecting = this.inspecting.then(() => {
      this.inspector?.terminate();
      this.inspector = undefined;
    });
    return added;
  }

  remove(item: Item): void {
    if (item.stage === 'working' || item.stage === 'waiting') return;
    this.made.get(item)?.engine?.terminate();
    this.made.delete(item);
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
    forget(item.file);
  }

  clear(): void {
    this.cancel();
    this.made.clear();
    for (const item of this.items) forget(item.file);
    this.items.length = 0;
  }

  /**
   * Settles when the item has been inspected: until then a video is not known to be one,
   * and would be read whole as an image (Convert or the estimate can come first).
   */
  inspected(item: Item): Promise<void> {
    return this.inspections.get(item) ?? Promise.resolve();
  }

  private async inspect(item: Item): Promise<void> {
    if (!this.items.includes(item)) return;
    try {
      item.video = await videoFormat(item.file);
      if (item.video) {
        item.report = await inspectVideo(item.file);
      } else {
        // A WebM or a 3 GB recording is not read whole to be told it is no image.
        refuseBeforeReading(item.file, looksLikeVideo(item.file));
        this.inspector ??= new WorkerEngine({ giveInput: true });
        item.report = await this.inspector.inspect(new Uint8Array(await item.file.arrayBuffer()));
      }
    } catch (e) {
      item.error = describeFailure(e, item.video ? 'video' : 'image');
      item.stage = 'failed';
      item.failedWith = 'unreadable';
    }
    this.events.changed(item);
  }

  /**
   * Offers a copy made for the estimate, or one still being made (Convert was clicked
   * meanwhile). A person usually converts the image whose estimate they just saw: that
   * copy is not made a second time (a 12 MP HEIC to JPEG takes over a second) when the
   * engine call the batch would make is the same.
   */
  offer(made: MadeCopy): void {
    this.made.get(made.item)?.engine?.terminate();
    this.made.delete(made.item);
    this.made.set(made.item, made);
    // The last few only: a person clicking through a batch of large PNGs would otherwise hold them all.
    for (const [item, old] of this.made) {
      if (this.made.size <= KEPT_PREVIEWS) break;
      old.engine?.terminate();
      this.made.delete(item);
    }
  }

  /** Items whose copy is missing or was made with another recipe, and that could be made. */
  pending(recipe: Recipe): Item[] {
    return this.items.filter((item) => {
      if (isCurrent(item, recipe)) return false;
      return !failedFor(item, recipe);
    });
  }

  /** Converts every pending item; resolves when all are done, failed or cancelled. */
  async convert(choice: Choice, settings: Settings): Promise<void> {
    const order: Order = { choice, settings, recipe: recipeOf(choice, settings) };
    const queue = this.isRunning ? [] : this.pending(order.recipe);
    if (queue.length === 0) {
      // A copy still being made that no batch will take: its worker is ended, not left running.
      for (const [item, { engine }] of this.made) {
        if (!engine) continue;
        engine.terminate();
        this.made.delete(item);
      }
      return;
    }
    for (const item of queue) {
      item.stage = 'waiting';
      item.error = undefined;
      item.interrupted = undefined;
      this.events.changed(item);
    }
    const generation = this.generation;
    this.setRunning(true);
    try {
      // A copy still being made takes the place of one worker (on a machine with room for one only, first).
      let { making } = await this.takeMade(queue, order, generation);
      if (generation !== this.generation) return;
      let room = workerCount();
      if (making && room === 1) await making;
      else if (making) room--;
      making ??= Promise.resolve();
      const lanes = Math.min(room, queue.length);
      // A worker that no lane needs helps the one lane with its encode (one image left to make).
      const helper = lanes === 1 && room > 1 ? this.helper() : undefined;
      await Promise.all([making, ...Array.from({ length: lanes }, () => this.lane(queue, order, generation, helper))]);
    } finally {
      if (generation === this.generation) this.setRunning(false);
    }
  }

  /**
   * Takes out of the queue the images whose offered copy is what the batch would make:
   * finished at once, or (a copy still being made: one at most) by `making`. (In an
   * object: an async function returning a promise would wait for it.)
   */
  private async takeMade(queue: Item[], order: Order, generation: number): Promise<{ making?: Promise<void> }> {
    const { choice, settings, recipe } = order;
    const offered = [...this.made.values()];
    this.made.clear();
    let making: Promise<void> | undefined;
    for (const made of offered) {
      const { item, output, engine } = made;
      const usable = queue.includes(item) && !item.video && (await madeAlike(made, choice, settings));
      const index = queue.indexOf(item);
      if (!usable || generation !== this.generation || index < 0) {
        engine?.terminate();
        continue;
      }
      queue.splice(index, 1);
      if (!(output instanceof Promise)) {
        this.finish(item, output, recipe);
        this.events.changed(item);
        continue;
      }
      item.stage = 'working';
      this.events.changed(item);
      if (engine) this.engines.add(engine);
      making = output
        .then(
          (done) => {
            if (generation === this.generation) this.finish(item, done, recipe);
          },
          (e: unknown) => {
            if (generation === this.generation) this.fail(item, e, recipe);
          },
        )
        .finally(() => {
          if (engine) {
            engine.terminate();
            this.engines.delete(engine);
          }
          if (generation === this.generation) this.events.changed(item);
        });
    }
    return { making };
  }

  /** Stops now: work in flight is abandoned (its worker is terminated), the rest is not started. */
  cancel(): void {
    this.generation++;
    for (const engine of this.engines) engine.terminate();
    this.engines.clear();
    for (const item of this.items) {
      if (item.stage === 'waiting' || item.stage === 'working') {
        // A copy made with an earlier choice stands (its row says so): cancelling the new
        // one must not take it away, as it did until session 35.
        item.stage = item.result ? 'done' : 'cancelled';
        item.interrupted = item.result !== undefined;
        this.events.changed(item);
      }
    }
    if (this.isRunning) this.setRunning(false);
  }

  private setRunning(running: boolean): void {
    this.isRunning = running;
    this.events.running(running);
  }

  /** A worker that `cancel` ends with the rest. */
  private helper(): Helper {
    return () => {
      const engine = new WorkerEngine({ giveInput: true, preload: 'converter' });
      this.engines.add(engine);
      return {
        engine,
        release: () => {
          engine.terminate();
          this.engines.delete(engine);
        },
      };
    };
  }

  /** One worker taking items from the shared queue until it is empty or the batch is cancelled. */
  private async lane(queue: Item[], order: Order, generation: number, helper?: Helper): Promise<void> {
    const engine = new WorkerEngine({ giveInput: true, preload: 'converter' });
    this.engines.add(engine);
    try {
      let item: Item | undefined;
      while (generation === this.generation && (item = queue.shift())) {
        await this.convertOne(engine, item, order, generation, helper);
      }
    } finally {
      // The wasm memory a worker grew to is only returned by ending it.
      engine.terminate();
      this.engines.delete(engine);
    }
  }

  private async convertOne(engine: WorkerEngine, item: Item, order: Order, generation: number, helper?: Helper) {
    const { choice, settings, recipe } = order;
    await this.inspected(item);
    if (generation !== this.generation || item.failedWith === 'unreadable') return;
    if (item.video) return this.cleanOneVideo(item, choice, recipe, generation);
    item.stage = 'working';
    this.events.changed(item);
    try {
      const bytes = new Uint8Array(await item.file.arrayBuffer());
      const work = workOf(choice, settings, bytes);
      const output =
        work.op === 'clean' ? await engine.clean(bytes, work.policy) : await convertKept(engine, item.file, bytes, work.options, helper);
      if (generation !== this.generation) return;
      this.finish(item, output, recipe);
    } catch (e) {
      if (generation !== this.generation) return;
      this.fail(item, e, recipe);
    }
    this.events.changed(item);
  }

  /** An earlier choice's copy stands (its row says so, and why the new one failed). */
  private fail(item: Item, e: unknown, recipe: Recipe): void {
    item.error = describeFailure(e);
    item.stage = item.result ? 'done' : 'failed';
    item.failedWith = recipe;
    item.interrupted = undefined;
  }

  private finish(item: Item, output: Output<CleanReport | ConvertReport>, recipe: Recipe): void {
    const report = output.report;
    const format = report.format;
    // A cleaned copy has the original's pixels: shown turned as the original is while it keeps
    // the orientation (HEIF and AVIF always do: it is a property of the picture there).
    const turned = item.report && (recipe.keepOrientation || item.report.format === 'heif' || item.report.format === 'avif');
    const shown = item.report && turned ? upright(item.report) : item.report;
    const width = 'width' in report ? report.width : (shown?.width ?? 0);
    const height = 'height' in report ? report.height : (shown?.height ?? 0);
    item.result = {
      blob: new Blob([output.data as BlobPart], { type: MIME[format] }),
      name: renamed(item.path, format),
      format,
      width,
      height,
      recipe,
      report,
    };
    item.stage = 'done';
    item.error = undefined;
    item.saveError = undefined; // a new copy: the last one's save failure is not its
    item.failedWith = undefined;
    item.interrupted = undefined;
  }

  private async cleanOneVideo(item: Item, choice: Choice, recipe: Recipe, generation: number): Promise<void> {
    item.stage = 'working';
    this.events.changed(item);
    try {
      const { blob, report } = await videoCopy(item, choice);
      if (generation !== this.generation) return;
      const width = item.report?.width ?? 0;
      const height = item.report?.height ?? 0;
      // Named as images are: characters other systems refuse replaced (Chromium would not save
      // "clip 12:06.mov"), and the extension its container's (a video named photo.jpg).
      item.result = { blob, name: renamed(item.path, report.format), format: report.format, width, height, recipe, report };
      item.stage = 'done';
      item.failedWith = undefined;
      item.saveError = undefined;
    } catch (e) {
      if (generation !== this.generation) return;
      item.error = e instanceof VideoNotReencoded ? e.message : describeFailure(e, 'video');
      item.stage = 'failed';
      item.failedWith = recipe;
    }
    this.events.changed(item);
  }
}

export interface VideoCopy {
  blob: Blob;
  report: CleanReport;
}

/** A video's cleaned copy, or why there is none: `choice` must be "metadata removed only". */
export async function videoCopy(item: Item, choice: Choice): Promise<VideoCopy> {
  if (choice.format !== 'clean') throw new VideoNotReencoded();
  const { data, report } = await cleanVideo(item.file);
  return { blob: new Blob([data], { type: MIME[report.format] }), report };
}

/**
 * An image's size as it is shown: orientations 5 to 8 (EXIF's, or HEIF's irot and imir as
 * inspection reports them) turn it a quarter. Copies are made upright: the comparison read
 * "before: 2048 × 1536, after: 1536 × 2048" for a photo turned by EXIF.
 */
export function upright(report: InspectReport): { width: number; height: number } {
  const turned = report.orientation !== null && report.orientation >= 5 && report.orientation <= 8;
  return turned ? { width: report.height, height: report.width } : report;
}

/** Whether the item's copy is there and made with `recipe`. */
export function isCurrent(item: Item, recipe: Recipe): item is Item & { result: Result } {
  return item.stage === 'done' && item.result !== undefined && alike(item, item.result.recipe, recipe);
}

/** Whether making the item's copy with `recipe` is known to fail (it failed so before). */
export function failedFor(item: Item, recipe: Recipe): boolean {
  const failed = item.failedWith;
  return failed === 'unreadable' || (failed !== undefined && alike(item, failed, recipe));
}

/**
 * Two recipes make the same copy of this item. A video is only ever cleaned, whatever the
 * settings (or refused, for any other format): only "metadata removed only" or not matters.
 */
function alike(item: Item, a: Recipe, b: Recipe): boolean {
  return item.video ? (a.choice.format === 'clean') === (b.choice.format === 'clean') : sameRecipe(a, b);
}

/** Totals over the items with a current copy. */
export function totals(items: readonly Item[], recipe: Recipe): { count: number; before: number; after: number } {
  let count = 0;
  let before = 0;
  let after = 0;
  for (const item of items) {
    if (!isCurrent(item, recipe)) continue;
    count++;
    before += item.file.size;
    after += item.result.blob.size;
  }
  return { count, before, after };
}
