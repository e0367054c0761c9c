// The selected image made with the current choice, before the batch runs: its
// size is the live estimate next to the quality slider, and its pixels the
// "after" of the comparison. A newer request abandons an older one (its worker
// is ended), so dragging the slider never queues stale work.
import { WorkerEngine } from '../engine/worker-client';
import { MIME } from '../engine/types';
import { describeFailure } from '../shared/failure';
import type { Settings } from '../shared/settings';
import { VideoNotReencoded, videoCopy, workerCount, type Item, type MadeCopy } from './batch';
import { workOf, type Choice } from './choice';
import { convertKept } from './display';
import type { Helper } from './split-encode';

/**
 * A second worker for the preview's one image, on a machine with room for two. Not
 * tracked here: it lives as long as the conversion that asked for it, which ends when
 * its first worker is ended (by this preview, or by the batch it was handed to).
 */
function helper(): Helper | undefined {
  if (workerCount() < 2) return undefined;
  return () => {
    const engine = new WorkerEngine({ giveInput: true, preload: 'converter' });
    return { engine, release: () => engine.terminate() };
  };
}

/** `made`: the image's copy and the engine call that made it (a video's preview has none). */
export type PreviewOutcome = { ok: true; blob: Blob; ms: number; made?: Omit<MadeCopy, 'item'> } | { ok: false; message: string };

export class Preview {
  private engine?: WorkerEngine;
  private generation = 0;
  /** The copy being made now, for `handOver`. */
  private making?: MadeCopy;

  async make(item: Item, choice: Choice, settings: Settings): Promise<PreviewOutcome | undefined> {
    const generation = ++this.generation;
    this.stop();
    if (item.video) return this.videoPreview(item, choice, generation);
    const engine = (this.engine = new WorkerEngine({ giveInput: true, preload: 'converter' }));
    const started = performance.now();
    try {
      const bytes = new Uint8Array(await item.file.arrayBuffer());
      // A newer request came while the file was read (and ended this worker): nothing more is
      // started for this one, not even the helper a large JPEG's encode would take.
      if (generation !== this.generation) return undefined;
      const work = workOf(choice, settings, bytes);
      const pending =
        work.op === 'clean' ? engine.clean(bytes, work.policy) : convertKept(engine, item.file, bytes, work.options, helper());
      if (generation === this.generation) this.making = { item, work, output: pending, engine };
      const output = await pending;
      if (generation !== this.generation) return undefined;
      this.making = undefined;
      const blob = new Blob([output.data as BlobPart], { type: MIME[output.report.format] });
      return { ok: true, blob, ms: performance.now() - started, made: { work, output } };
    } catch (e) {
      return generation === this.generation ? { ok: false, message: describeFailure(e) } : undefined;
    } finally {
      // A worker keeps the memory its largest image needed: end it rather than hold that while idle.
      if (generation === this.generation) this.stop();
    }
  }

  /** A video's copy is its cleaned copy (quick: only its header is read), or none. */
  private async videoPreview(item: Item, choice: Choice, generation: number): Promise<PreviewOutcome | undefined> {
    const started = performance.now();
    try {
      const { blob } = await videoCopy(item, choice);
      return generation === this.generation ? { ok: true, blob, ms: performance.now() - started } : undefined;
    } catch (e) {
      if (generation !== this.generation) return undefined;
      return { ok: false, message: e instanceof VideoNotReencoded ? e.message : describeFailure(e, 'video') };
    }
  }

  /**
   * Gives up the copy being made, if any, with its worker, to whoever will wait for it
   * (the batch, when Convert is clicked meanwhile): this preview neither waits for it
   * nor ends its worker any more.
   */
  handOver(): MadeCopy | undefined {
    const making = this.making;
    if (!making) return undefined;
    this.making = undefined;
    this.engine = undefined;
    this.generation++;
    return making;
  }

  /** Abandons the preview in progress, if any, and frees its worker's memory. */
  stop(): void {
    this.engine?.terminate();
    this.engine = undefined;
    this.making = undefined;
  }

  cancel(): void {
    this.generation++;
    this.stop();
  }
}
