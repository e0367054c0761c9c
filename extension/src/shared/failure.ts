// Plain words for what went wrong, shared by the menu and the pages.
import { EngineError } from '../engine/types';
import { AcquireError } from './acquire';

/**
 * Plain words for the user: what went wrong and, where it helps, what to do.
 * Callers say what it means for them (nothing saved, a file held back).
 */
export function describeFailure(e: unknown, what: 'image' | 'video' = 'image'): string {
  if (e instanceof AcquireError) return e.message;
  if (e instanceof EngineError) {
    switch (e.kind) {
      case 'empty':
        return 'The file is empty (0 bytes).';
      case 'unrecognised':
        return what === 'video'
          ? 'This is not a video Traceless can read (MP4, MOV, M4V or 3GP).'
          : 'This is not an image Traceless can read (JPEG, PNG, WebP, GIF, HEIC or AVIF).';
      case 'unsupported':
        return `Traceless cannot process this ${what}: ${e.message}`;
      case 'corrupt':
      case 'truncated':
        return `The ${what} is damaged: ${e.message}`;
      case 'limit_exceeded':
        return `The ${what} is too large to process: ${e.message}`;
      default:
        return `Something went wrong: ${e.message}`;
    }
  }
  return `Something went wrong: ${e instanceof Error ? e.message : String(e)}`;
}
