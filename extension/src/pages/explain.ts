// Turns an inspection report into plain-language sections for people, most
// sensitive first.
import type { Category, Finding, InspectReport } from '../engine/types';

export interface Section {
  category: Category;
  title: string;
  items: { label: string; value: string }[];
}

const TITLES: [Category, string][] = [
  ['location', 'Where it was taken'],
  ['camera_serial', 'Serial numbers that identify the camera'],
  ['people', 'Names and ownership'],
  ['identifiers', 'Unique identifiers'],
  ['time', 'Dates and times'],
  ['device', 'Camera and lens'],
  ['thumbnail', 'Hidden preview images'],
  ['hidden_data', 'Hidden data'],
  ['text', 'Titles, captions and comments'],
  ['software', 'Software and edit history'],
  ['maker_notes', "Camera maker's private notes"],
  ['content_credentials', 'Content credentials'],
  ['other', 'Other metadata'],
];

export function sections(report: InspectReport): Section[] {
  const byCategory = new Map<Category, Finding[]>();
  for (const f of report.findings) {
    if (f.category === 'display') continue;
    byCategory.set(f.category, [...(byCategory.get(f.category) ?? []), f]);
  }
  return TITLES.filter(([c]) => byCategory.has(c)).map(([c, title]) => ({
    category: c,
    title,
    items: byCategory.get(c)!.map((f) => ({ label: f.label, value: f.value })),
  }));
}

/** A map the user may choose to open; nothing is fetched unless they click it. */
export function mapLink(latitude: number, longitude: number): string {
  const lat = latitude.toFixed(6);
  const lon = longitude.toFixed(6);
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=15/${lat}/${lon}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function facts(report: InspectReport): string {
  const parts = [`${report.format.toUpperCase()}, ${report.width} × ${report.height} pixels`, formatBytes(report.bytes)];
  if (report.frames > 1) parts.push(`${report.frames} frames`);
  if (report.icc) parts.push(`colour profile${report.icc.description ? ` "${report.icc.description}"` : ''} (kept)`);
  return parts.join(' · ');
}

const SHORT: Record<Exclude<Category, 'display'>, string> = {
  location: 'location',
  camera_serial: 'camera serial',
  people: 'names',
  identifiers: 'identifiers',
  time: 'dates',
  device: 'camera model',
  thumbnail: 'hidden preview',
  hidden_data: 'hidden data',
  text: 'captions',
  software: 'software',
  maker_notes: 'maker notes',
  content_credentials: 'content credentials',
  other: 'other metadata',
};

/** "location, camera serial, dates": what the image reveals, in a few words, most sensitive first. */
export function revealsBriefly(report: InspectReport): string {
  return sections(report)
    .map((s) => SHORT[s.category as Exclude<Category, 'display'>])
    .join(', ');
}

/** "−74%" (smaller) or "+3%" (larger): the change from `before` to `after` bytes. */
export function change(before: number, after: number): string {
  if (before <= 0) return '';
  const percent = Math.round(((after - before) / before) * 100);
  if (percent === 0) return '0%';
  return percent < 0 ? `−${Math.abs(percent)}%` : `+${percent}%`;
}
