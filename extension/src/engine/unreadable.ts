// What is refused before a byte of it is read as an image: reading is the costly part of
// a multi-gigabyte file (a screen recording in a dropped folder), and the engine would
// refuse it anyway.
import { EngineError } from './types';

/** The engine's input limit for images (core/src/limits.rs MAX_INPUT_BYTES): larger ones are not read. */
export const MAX_IMAGE_BYTES = 512 * 1024 * 1024;

/**
 * Throws the engine's own error for an input that is no MP4 or MOV video (those are
 * streamed, never read whole) and is either taken for a video (`video`: by its type or
 * name, as a WebM, MKV or AVI) or past the images' input limit.
 */
export function refuseBeforeReading(input: Blob, video: boolean): void {
  if (video) {
    throw new EngineError('not a video Traceless can clean (it cleans MP4, MOV, M4V and 3GP videos)', 'unsupported', { code: 'not_a_video', args: [] });
  }
  if (input.size > MAX_IMAGE_BYTES) {
    throw new EngineError(`the file is too large to process (the limit is ${MAX_IMAGE_BYTES / 2 ** 20} MB)`, 'limit_exceeded', {
      code: 'file_too_large',
      args: [String(input.size), String(MAX_IMAGE_BYTES)],
    });
  }
}
