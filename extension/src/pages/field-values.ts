// Metadata values in the user's language. Most values are the file's own data
// (names, dates, coordinates) and are shown as they are; the engine adds English
// words to a few (sizes, counts, altitude, directions, orientation). Those it writes
// in fixed forms (core/src/metadata/exif_words.rs, mod.rs human_bytes, irb.rs,
// xmp.rs, exif.rs, container/isobmff/layout.rs), which are read back here and
// said again. A form this file does not know is shown as the engine wrote it.
import type { Finding } from '../engine/types';
import { formatNumber, t, tn, type MessageKey } from '../shared/i18n';
import { formatBytes } from '../shared/sizes';

/** The engine's decimals ("260.6") as the language writes them ("260,6"). */
const decimal = (text: string) => formatNumber(Number(text), { maximumFractionDigits: 4 });

/** "157.9 KB" back to bytes, close enough to be written again to one decimal. */
function bytesOf(amount: string, unit: string): number {
  const scale = unit === 'bytes' ? 1 : unit === 'KB' ? 1024 : 1024 ** 2;
  return Math.round(Number(amount) * scale);
}

/** kamadak-exif's words for the EXIF orientation values 1-8. */
const ORIENTATIONS: Record<string, MessageKey> = {
  'row 0 at top and column 0 at left': 'orientation1',
  'row 0 at top and column 0 at right': 'orientation2',
  'row 0 at bottom and column 0 at right': 'orientation3',
  'row 0 at bottom and column 0 at left': 'orientation4',
  'row 0 at left and column 0 at top': 'orientation5',
  'row 0 at right and column 0 at top': 'orientation6',
  'row 0 at right and column 0 at bottom': 'orientation7',
  'row 0 at left and column 0 at bottom': 'orientation8',
};

const SIZE = /^(\d+(?:\.\d+)?) (bytes|KB|MB)$/;

/** [the engine's form, how to say it]; the first that matches is used. */
const FORMS: [RegExp, (m: RegExpExecArray) => string][] = [
  [SIZE, (m) => formatBytes(bytesOf(m[1], m[2]))],
  [/^(\d+) fields(: .*)?$/, (m) => tn('valueFields', Number(m[1])) + (m[2] ?? '')],
  [/^(\d+) properties(: .*)?$/, (m) => tn('valueProperties', Number(m[1])) + (m[2] ?? '')],
  [/^(\d+) resources$/, (m) => tn('valueResources', Number(m[1]))],
  [/^(\d+) frames$/, (m) => tn('factsFrames', Number(m[1]))],
  [/^(\d+) tiles$/, (m) => tn('valueTiles', Number(m[1]))],
  [/^(\d+(?:\.\d+)?) m above sea level$/, (m) => t('valueAboveSea', decimal(m[1]))],
  [/^(\d+(?:\.\d+)?) m below sea level$/, (m) => t('valueBelowSea', decimal(m[1]))],
  [/^above sea level$/, () => t('valueAboveSeaRef')],
  [/^(\d+(?:\.\d+)?)° \(from true north\)$/, (m) => t('valueTrueNorth', decimal(m[1]))],
  [/^(\d+(?:\.\d+)?)° \(from magnetic north\)$/, (m) => t('valueMagneticNorth', decimal(m[1]))],
  [/^within (\d+(?:\.\d+)?) m$/, (m) => t('valueWithin', decimal(m[1]))],
  [/^(\d+(?:\.\d+)?) knots$/, (m) => t('valueKnots', decimal(m[1]))],
  [/^(\d+(?:\.\d+)?) nautical miles$/, (m) => t('valueNauticalMiles', decimal(m[1]))],
  [/^(\d+(?:\.\d+)?) miles$/, (m) => t('valueMiles', decimal(m[1]))],
  [/^(\d+(?:\.\d+)?) (km\/h|km|mph)$/, (m) => `${decimal(m[1])} ${m[2]}`],
  [/^(\d+)° anticlockwise$/, (m) => t('valueAnticlockwise', decimal(m[1]))],
  [/^left and right exchanged$/, () => t('valueMirrorLeftRight')],
  [/^top and bottom exchanged$/, () => t('valueMirrorTopBottom')],
];

const WRITTEN = new Set<Finding['category']>(['text', 'people', 'identifiers', 'software']);

/** The finding's value in the user's language, where the engine added words to it. */
export function fieldValue(finding: Finding): string {
  const { key, value, category } = finding;
  // Words people wrote (captions, names, software) are theirs, whatever they look like.
  if (WRITTEN.has(category)) return value;
  if (key === 'EXIF Orientation' && ORIENTATIONS[value]) return t(ORIENTATIONS[value]);
  // A colour profile: its own name, then its size ("Display P3 (548 bytes)").
  const profile = key === 'ICC profile' ? /^(.*) \((\d+(?:\.\d+)? (?:bytes|KB|MB))\)$/.exec(value) : null;
  if (profile) return t('valueProfile', profile[1], fieldValue({ ...finding, key: '', value: profile[2] }));
  for (const [form, say] of FORMS) {
    const m = form.exec(value);
    if (m) return say(m);
  }
  return value;
}
