// What the user is told after a selection was cleaned.
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
  const revealing = cleaned.filter((o) => o.removed > 0);
  if (revealing.length === 1) {
    const o = revealing[0];
    const text = o.convertedFrom
      ? `${o.summary} from ${o.convertedFrom} and sent it as ${o.file.name} before the upload.`
      : `${o.summary} from ${o.file.name} before the upload.`;
    notices.push({ tone: 'info', text });
  } else if (revealing.length > 1) {
    const videos = revealing.filter((o) => o.file.type.startsWith('video/')).length;
    const photos = revealing.length - videos;
    const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
    const what = [photos && count(photos, 'photo'), videos && count(videos, 'video')].filter(Boolean).join(' and ');
    notices.push({ tone: 'info', text: `Removed hidden data from ${what} before the upload.` });
  }
  for (const o of outcomes) {
    if (o.kind === 'blocked') {
      notices.push({ tone: 'error', text: `${o.original.name} was held back: ${o.reason}`, heldBack: o.original });
    }
    if (o.kind === 'uncleaned') {
      notices.push({ tone: 'error', text: `${o.file.name} was sent without cleaning (as your settings ask): ${o.reason}` });
    }
  }
  return notices;
}
