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
    notices.push({ tone: 'info', text: `${revealing[0].summary} from ${revealing[0].file.name} before the upload.` });
  } else if (revealing.length > 1) {
    notices.push({ tone: 'info', text: `Removed hidden data from ${revealing.length} photos before the upload.` });
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
