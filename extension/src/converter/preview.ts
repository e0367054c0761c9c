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

/** Why a preview's copy was not started: a newer request ended it while its file was read. */
class Abandoned extends Error {}

export class Preview {
  private engine?: WorkerEngine;
  private generation = 0;
  /** The current request's flag: set when it is ended (not when handed over). */
  private run?: { abandoned: boolean };
  /** The copy being made now, for `handOver`: set before its file is read. */
  private making?: MadeCopy;

  async make(item: Item, choice: Choice, settings: Settings): Promise<PreviewOutcome | undefined> {
    const generation = ++this.generation;
    this.stop();
    if (item.video) return this.videoPreview(item, choice, generation);
    const engine = (this.engine = new WorkerEngine({ giveInput: true, preload: 'converter' }));
    const run = (this.run = { abandoned: false });
    const started = performance.now();
    const bytes = item.file.arrayBuffer().then((buffer) => new Uint8Array(buffer));
    const work = bytes.then((input) => workOf(choice, settings, input));
    const output = work.then(async (w) => {
      // Ended while the file was read (a newer request came): nothing more is started for it,
      // not even the helper a large JPEG's encode would take. One handed over goes on.
      if (run.abandoned) throw new Abandoned();
      const input = await bytes;
      return w.op === 'clean' ? engine.clean(input, w.policy) : convertKept(engine, item.file, input, w.options, helper());
    });
    // Offered from the start: a Convert clicked while the file is still being read takes this
    // copy rather than make a second one beside it.
    this.making = { item, work, output, engine };
    try {
      const [made, done] = await Promise.all([work, output]);
      if (generation !== this.generation) return undefined;
      this.making = undefined;
      const blob = new Blob([done.data as BlobPart], { type: MIME[done.report.format] });
      return { ok: true, blob, ms: performance.now() - started, made: { work: made, output: done } };
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
    this.run = undefined;
    this.generation++;
    return making;
  }

  /** Abandons the preview in progress, if any, and frees its worker's memory. */
  stop(): void {
    if (this.run) this.run.abandoned = true;
    this.run = undefined;
    this.engine?.terminate();
    this.engine = undefined;
    this.making = undefined;
  }

  cancel(): void {
    this.generation++;
    this.stop();
  }
}
