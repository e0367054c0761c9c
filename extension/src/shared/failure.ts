// Plain words for what went wrong, shared by the menu, the guard and the pages.
import { EngineError, type Reason } from '../engine/types';
import { formatBytes } from './sizes';
import { AcquireError } from './acquire';
import { DownloadCancelled, DownloadInterrupted } from './download';
import { t, tn, type MessageKey } from './i18n';

type What = 'image' | 'video';

const KIND_SENTENCE: Record<string, Record<What, MessageKey>> = {
  unsupported: { image: 'failUnsupportedImage', video: 'failUnsupportedVideo' },
  corrupt: { image: 'failDamagedImage', video: 'failDamagedVideo' },
  truncated: { image: 'failDamagedImage', video: 'failDamagedVideo' },
  limit_exceeded: { image: 'failTooLargeImage', video: 'failTooLargeVideo' },
};

/**
 * Plain words for the user, in their language: what went wrong and, where it
 * helps, what to do. Callers say what it means for them (nothing saved, a file
 * held back). An engine refusal with a reason code is said whole; any other keeps
 * the engine's English detail in brackets, for a bug report rather than for reading.
 */
export function describeFailure(e: unknown, what: What = 'image'): string {
  if (e instanceof AcquireError) return e.message;
  if (e instanceof DownloadCancelled) return t('failDownloadCancelled');
  if (e instanceof DownloadInterrupted) return t('failDownloadInterrupted', e.reason);
  if (!(e instanceof EngineError)) return t('failDetail', t('failWrong'), e instanceof Error ? e.message : String(e));
  if (e.kind === 'empty') return t('failEmpty');
  if (e.kind === 'unrecognised') return what === 'video' ? t('failNotVideo') : t('failNotImage');
  const sentence = t(KIND_SENTENCE[e.kind]?.[what] ?? 'failWrong');
  const reason = e.reason && reasonText(e.reason);
  return reason ? t('failWithReason', sentence, reason) : t('failDetail', sentence, e.message);
}

/** The sentence for a reason code, or undefined for a code this version does not know. */
export function reasonText({ code, args }: Reason): string | undefined {
  const number = (i: number) => Number(args[i]);
  switch (code) {
    case 'other_type':
      return t('reasonOtherType', args[0]);
    case 'cannot_convert':
      return t('reasonCannotConvert', args[0]);
    case 'too_many_pixels':
      return t('reasonTooManyPixels', args[0], args[1], number(2));
    case 'out_of_memory':
      return t('reasonOutOfMemory');
    case 'animated_to_single':
      return tn('reasonAnimatedToSingle', number(1), args[0], args[2]);
    case 'animation_too_long':
      return tn('reasonAnimationTooLong', number(0), number(1));
    case 'video_not_reencoded':
      return t('reasonVideoNotReencoded');
    case 'fragmented_video':
      return t('reasonFragmentedVideo');
    case 'unusual_video':
      return t('reasonUnusualVideo');
    case 'image_sequence':
      return t('reasonImageSequence', args[0]);
    case 'file_too_large':
      return t('reasonFileTooLarge', formatBytes(number(0)), formatBytes(number(1)));
    case 'not_a_video':
      return t('reasonNotAVideo');
    case 'engine_stopped':
      return t('reasonEngineStopped');
    case 'extension_reloaded':
      return t('reasonExtensionReloaded');
    default:
      return undefined;
  }
}
