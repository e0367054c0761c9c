// Turns an inspection report into plain-language sections for people, most
// sensitive first.
import type { Category, Finding, InspectReport } from '../engine/types';
import { list, t, tn, type MessageKey } from '../shared/i18n';
import { formatBytes } from '../shared/sizes';
import { fieldLabel } from './field-labels';
import { fieldValue } from './field-values';

export interface Section {
  category: Category;
  title: string;
  items: { label: string; value: string }[];
}

type Shown = Exclude<Category, 'display'>;

/** Each category's heading and its short form in a list, most sensitive first. */
const WORDS: [Shown, MessageKey, MessageKey][] = [
  ['location', 'categoryLocation', 'revealsLocation'],
  ['camera_serial', 'categoryCameraSerial', 'revealsCameraSerial'],
  ['people', 'categoryPeople', 'revealsPeople'],
  ['identifiers', 'categoryIdentifiers', 'revealsIdentifiers'],
  ['time', 'categoryTime', 'revealsTime'],
  ['device', 'categoryDevice', 'revealsDevice'],
  ['thumbnail', 'categoryThumbnail', 'revealsThumbnail'],
  ['hidden_data', 'categoryHiddenData', 'revealsHiddenData'],
  ['text', 'categoryText', 'revealsText'],
  ['software', 'categorySoftware', 'revealsSoftware'],
  ['maker_notes', 'categoryMakerNotes', 'revealsMakerNotes'],
  ['content_credentials', 'categoryContentCredentials', 'revealsContentCredentials'],
  ['other', 'categoryOther', 'revealsOther'],
];

export function sections(report: InspectReport): Section[] {
  const byCategory = new Map<Category, Finding[]>();
  for (const f of report.findings) {
    if (f.category === 'display') continue;
    byCategory.set(f.category, [...(byCategory.get(f.category) ?? []), f]);
  }
  return WORDS.filter(([c]) => byCategory.has(c)).map(([c, title]) => ({
    category: c,
    title: t(title),
    items: byCategory.get(c)!.map((f) => ({ label: fieldLabel(f), value: fieldValue(f) })),
  }));
}

/** A map the user may choose to open; nothing is fetched unless they click it. */
export function mapLink(latitude: number, longitude: number): string {
  const lat = latitude.toFixed(6);
  const lon = longitude.toFixed(6);
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=15/${lat}/${lon}`;
}

export function facts(report: InspectReport): string {
  const parts = [t('factsPixels', report.format.toUpperCase(), String(report.width), String(report.height)), formatBytes(report.bytes)];
  if (report.frames > 1) parts.push(tn('factsFrames', report.frames));
  if (report.icc) parts.push(report.icc.description ? t('factsProfileNamed', report.icc.description) : t('factsProfile'));
  return parts.join(' · ');
}

/** The categories of `findings` in a few words, most sensitive first: "location, dates and 2 other kinds of data". */
export function summarise(findings: Finding[], named = 2): string {
  const present = new Set(findings.map((f) => f.category));
  const words = WORDS.filter(([c]) => present.has(c)).map(([, , short]) => t(short));
  if (words.length <= named + 1) return list(words);
  return list([...words.slice(0, named), tn('revealsMore', words.length - named)]);
}

/** "location, camera serial number, dates": what the image reveals, every kind, most sensitive first. */
export function revealsBriefly(report: InspectReport): string {
  const present = new Set(report.findings.map((f) => f.category));
  return WORDS.filter(([c]) => present.has(c)).map(([, , short]) => t(short)).join(', ');
}
