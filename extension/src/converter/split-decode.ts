// A HEIC's decode over two workers. A phone photo is a grid of independent HEVC tiles
// (48 on an iPhone), and decoding them, one thread per worker, is most of the wait
// before the converter can show it: each worker decodes half the tiles, turns its half
// upright and colours it for the screen, and the first stacks the halves into the
// pixels and the picture to show (core: codec/heif_bands.rs).
// An image the engine does not split (one HEVC picture; alpha; a crop) is decoded
// whole by the first worker, and the second answers at once with nothing.
import { EngineError, type Decoded, type Joined, type PixelEngine, type UprightBand } from '../engine/types';

export type Decoder = Pick<PixelEngine, 'decodeUpright' | 'decodeUprightBand' | 'joinUprightBands'>;

/** A second worker for one decode, ended once its band is in. */
export type DecodeHelper = () => Decoder & { terminate(): void };

/** What the helper's band came to: its rows, or why there are none. */
type Theirs = { rows: Uint8Array; screen?: Uint8Array | null } | { failed: unknown };

/**
 * `bytes` decoded upright by `engine`, with `helper`'s worker decoding half of a grid's
 * tiles; with the picture to show when it was made from the halves.
 */
export async function decodeInTwo(engine: Decoder, helper: DecodeHelper, bytes: Uint8Array): Promise<Decoded & Partial<Joined>> {
  let second: ReturnType<DecodeHelper>;
  try {
    second = helper();
  } catch (e) {
    console.warn('traceless: no second worker to decode with', e);
    return engine.decodeUpright(bytes.slice());
  }
  try {
    // Each call is given its own copy: engines take their input away.
    const theirs: Promise<Theirs> = second.decodeUprightBand(bytes.slice(), 1, 2).then(
      (band) => (band && 'rows' in band ? band : { failed: `the engine split band 0 but gave band 1 as ${band === null ? 'nothing' : 'whole'}` }),
      (failed: unknown) => ({ failed }),
    );
    const mine: UprightBand = await engine.decodeUprightBand(bytes.slice(), 0, 2);
    if (mine === null) throw new EngineError('the engine decoded no part of this image', 'internal');
    if (!('rows' in mine)) return mine;
    const band = await theirs;
    // Its band is in: its memory (a 12 MP decode's) goes before the join needs more.
    second.terminate();
    if ('failed' in band) {
      // The helper could not do its part (it could not start, it stopped, or its band
      // is damaged): the first worker decodes it all, and reports any damage itself.
      console.warn('traceless: the second worker could not decode its half', band.failed);
      return engine.decodeUpright(bytes.slice());
    }
    // Rows that could not be coloured for the screen: the pixels without a picture (made
    // after, as for an image decoded whole, which reports why it cannot be).
    const screens = mine.screen === null || band.screen === null ? [] : [mine.screen ?? mine.rows, band.screen ?? band.rows];
    return await engine.joinUprightBands(bytes.slice(), [mine.rows, band.rows], screens);
  } finally {
    second.terminate();
  }
}
