// Tells the user that files are being cleaned, when that takes more than a moment (a
// large video, a HEIC sent as JPEG, a thousand photos): the page is waiting for them,
// and without a word the upload would seem stuck. Quick work shows nothing.
import { showNotice, removeNotice, type NoticeHandle } from '../notice';
import { t, tn } from '../../shared/i18n';
import type { Progress } from './clean-files';

/** Work that ends sooner than this shows no notice (as for the menu's: background/notify.ts). */
const SHOW_AFTER_MS = 1000;

const RECOUNT_MS = 200;

let selections = 0;

/** The progress of cleaning `files` (the images and videos of one selection, drop or paste). */
export function cleaningProgress(files: File[], shown: (file: File) => string): Progress {
  const key = `traceless-cleaning-${++selections}`;
  const started = Date.now();
  let done = 0;
  let notice: NoticeHandle | undefined;
  let recount: ReturnType<typeof setTimeout> | undefined;
  const words = () => (files.length === 1 ? t('noticeCleaning', shown(files[0])) : tn('noticeCleaningMany', files.length, done));
  const timer = setTimeout(() => {
    notice = showNotice(words(), 'working', { key, elapsedMs: Date.now() - started });
  }, SHOW_AFTER_MS);
  return {
    done() {
      done++;
      // A thousand small photos finish in a few seconds: the count is redrawn five times a second, not a thousand times.
      recount ??= setTimeout(() => {
        recount = undefined;
        notice?.say(words());
      }, RECOUNT_MS);
    },
    end() {
      clearTimeout(timer);
      clearTimeout(recount);
      // Its outcome follows at once (report.ts): the notices that say what was done.
      removeNotice(key);
    },
  };
}
