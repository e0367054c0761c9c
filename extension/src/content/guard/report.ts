// What the user is told after a selection was cleaned.
import { summarise } from '../../pages/explain';
import { list, t, tn } from '../../shared/i18n';
import type { FileOutcome } from './clean-files';

export interface Notice {
  text: string;
  tone: 'info' | 'error';
  /** A held-back file the user may still choose to send, and its name as the page may show it. */
  heldBack?: File;
  heldBackName?: string;
}

export function describe(outcomes: FileOutcome[]): Notice[] {
  const notices: Notice[] = [];
  const cleaned = outcomes.filter((o) => o.kind === 'cleaned');
  const revealing = cleaned.filter((o) => o.removed.length > 0);
  if (revealing.length === 1) {
    const o = revealing[0];
    const what = summarise(o.removed);
    // A name that lost its date is never shown whole in the page (a page may find text
    // even in a closed shadow root: window.find).
    const text = o.undated
      ? t('noticeRemovedUndated', what, o.file.name)
      : o.renamedFrom
        ? t('noticeRemovedConverted', what, o.renamedFrom, o.file.name)
        : t('noticeRemovedFrom', what, o.file.name);
    notices.push({ tone: 'info', text });
  } else if (revealing.length > 1) {
    const videos = revealing.filter((o) => o.file.type.startsWith('video/')).length;
    const photos = revealing.length - videos;
    const counts = [photos ? tn('noticePhotos', photos) : '', videos ? tn('noticeVideos', videos) : ''];
    notices.push({ tone: 'info', text: t('noticeRemovedMany', list(counts.filter(Boolean))) });
  }
  // New names the notice above did not say: another format, or the name less its date.
  const renamed = cleaned.filter((o) => o.renamedFrom && !(revealing.length === 1 && revealing[0] === o));
  if (renamed.length === 1) {
    const o = renamed[0];
    notices.push({ tone: 'info', text: o.undated ? t('noticeUndated', o.file.name) : t('noticeConverted', o.renamedFrom ?? '', o.file.name) });
  } else if (renamed.length > 1) {
    const converted = renamed.filter((o) => o.converted).length;
    if (converted) notices.push({ tone: 'info', text: tn('noticeConvertedMany', converted) });
    if (renamed.length > converted) notices.push({ tone: 'info', text: tn('noticeUndatedMany', renamed.length - converted) });
  }
  for (const o of outcomes) {
    if (o.kind === 'cleaned' && o.notConverted) {
      notices.push({ tone: 'error', text: t('noticeNotConverted', o.file.name, o.notConverted) });
    }
    if (o.kind === 'blocked') {
      const name = o.shown ?? o.original.name;
      notices.push({ tone: 'error', text: t('noticeHeldBack', name, o.reason), heldBack: o.original, heldBackName: name });
    }
    if (o.kind === 'uncleaned') {
      notices.push({ tone: 'error', text: t('noticeSentUncleaned', o.file.name, o.reason) });
    }
  }
  return notices;
}
