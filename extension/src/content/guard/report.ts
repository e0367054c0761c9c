// What the user is told after a selection was cleaned.
import { summarise } from '../../pages/explain';
import { list, t, tn } from '../../shared/i18n';
import type { FileOutcome } from './clean-files';

export interface Notice {
  text: string;
  tone: 'info' | 'error';
  /** A held-back file the user may still choose to send. */
  heldBack?: File;
}

export function describe(outcomes: FileOutcome[]): Notice[] {
  const notices: Notice[] = [];
  const cleaned = outcomes.filter((o) => o.kind === 'cleaned');
  const revealing = cleaned.filter((o) => o.removed.length > 0);
  if (revealing.length === 1) {
    const o = revealing[0];
    const what = summarise(o.removed);
    const text = o.convertedFrom
      ? t('noticeRemovedConverted', what, o.convertedFrom, o.file.name)
      : t('noticeRemovedFrom', what, o.file.name);
    notices.push({ tone: 'info', text });
  } else if (revealing.length > 1) {
    const videos = revealing.filter((o) => o.file.type.startsWith('video/')).length;
    const photos = revealing.length - videos;
    const counts = [photos ? tn('noticePhotos', photos) : '', videos ? tn('noticeVideos', videos) : ''];
    notices.push({ tone: 'info', text: t('noticeRemovedMany', list(counts.filter(Boolean))) });
  }
  // Conversions the notice above did not name: the site gets another name and type.
  const converted = cleaned.filter((o) => o.convertedFrom && !(revealing.length === 1 && revealing[0] === o));
  if (converted.length === 1) {
    const o = converted[0];
    notices.push({ tone: 'info', text: t('noticeConverted', o.convertedFrom ?? '', o.file.name) });
  } else if (converted.length > 1) {
    notices.push({ tone: 'info', text: tn('noticeConvertedMany', converted.length) });
  }
  for (const o of outcomes) {
    if (o.kind === 'cleaned' && o.notConverted) {
      notices.push({ tone: 'error', text: t('noticeNotConverted', o.file.name, o.notConverted) });
    }
    if (o.kind === 'blocked') {
      notices.push({ tone: 'error', text: t('noticeHeldBack', o.original.name, o.reason), heldBack: o.original });
    }
    if (o.kind === 'uncleaned') {
      notices.push({ tone: 'error', text: t('noticeSentUncleaned', o.file.name, o.reason) });
    }
  }
  return notices;
}
