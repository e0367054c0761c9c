// "What this image reveals": the inspection report for one image, in plain
// language, with buttons to save a cleaned or compressed copy.
import { WorkerEngine } from '../engine/worker-client';
import { MIME, type InspectReport } from '../engine/types';
import { acquire } from '../shared/acquire';
import { compressOrClean } from '../shared/compress';
import { download, finished, writtenName } from '../shared/download';
import { describeFailure } from '../shared/failure';
import { outputName } from '../shared/names';
import { reportSource } from '../shared/report-link';
import { convertOptionsOf, loadSettings, policyOf, PRESETS } from '../shared/settings';
import { localisePage, shown, t, tn } from '../shared/i18n';
import { formatBytes } from '../shared/sizes';
import { facts, mapLink, sections, summarise } from './explain';

localisePage();
shown();
const engine = new WorkerEngine();
const $ = (id: string) => document.getElementById(id)!;

/** `redrawn`: the page had released the file, and these are the pixels it shows (a PNG made here). */
function render(report: InspectReport, bytes: Uint8Array, redrawn: boolean): void {
  const preview = $('preview') as HTMLImageElement;
  preview.src = URL.createObjectURL(new Blob([bytes as BlobPart], { type: report.mime }));
  // A redraw carries nothing, but the file did perhaps: "nothing that identifies you" would not be true of it.
  $('summary').textContent = redrawn
    ? t('reportRedrawn')
    : report.findings.some((f) => f.category !== 'display')
      ? t('reportReveals', summarise(report.findings))
      : t('reportNothing');
  $('facts').textContent = facts(report);

  const container = $('sections');
  container.replaceChildren();
  for (const section of sections(report)) {
    const card = element('section', section.category === 'location' ? 'card location' : 'card');
    card.append(element('h2', '', section.title));
    if (section.category === 'location' && report.location) card.append(...whereItWasTaken(report.location));
    const list = element('dl');
    for (const item of section.items) list.append(element('dt', '', item.label), element('dd', '', item.value));
    card.append(list);
    container.append(card);
  }
  if (report.findings_omitted > 0) {
    container.append(element('p', 'muted', tn('reportMore', report.findings_omitted)));
  }
}

/** Coordinates first, and a map only if the user asks for one. */
function whereItWasTaken({ latitude, longitude, altitude }: NonNullable<InspectReport['location']>): HTMLElement[] {
  // Coordinates as people copy them into maps: a dot, whatever the language.
  const place = `${latitude.toFixed(6)}, ${longitude.toFixed(6)}`;
  const text = altitude !== undefined ? t('reportAltitude', place, Math.round(altitude)) : place;
  const coordinates = element('p', 'coordinates', text);
  const link = element('a', '', t('reportOpenMap')) as HTMLAnchorElement;
  link.href = mapLink(latitude, longitude);
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  const linkLine = element('p');
  linkLine.append(link, ' ', element('span', 'hint', t('reportMapHint')));
  return [coordinates, linkLine];
}

function element(tag: string, className = '', text?: string): HTMLElement {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

async function main(): Promise<void> {
  const source = await reportSource(location.hash);
  if (!source) {
    $('status').textContent = t('reportNoImage');
    return;
  }
  let bytes: Uint8Array;
  let url: string;
  let redrawn: boolean | undefined;
  let report: InspectReport;
  try {
    ({ bytes, url, redrawn } = await acquire(source));
    report = await engine.inspect(bytes);
  } catch (e) {
    $('status').textContent = describeFailure(e);
    $('status').className = 'error';
    return;
  }
  render(report, bytes, redrawn === true);
  $('status').hidden = true;
  $('report').hidden = false;

  const saved = $('saved');
  const buttons = [$('save-clean'), $('save-compressed')] as HTMLButtonElement[];
  const run = async (compress: boolean) => {
    buttons.forEach((b) => (b.disabled = true));
    saved.textContent = t('reportWorking');
    try {
      const settings = await loadSettings();
      const made = compress
        ? await compressOrClean(engine, bytes, convertOptionsOf(settings, PRESETS.find((p) => p.id === 'balanced'), bytes), policyOf(settings))
        : { kind: 'cleaned' as const, output: await engine.clean(bytes, policyOf(settings)) };
      const result = made.output;
      const format = result.report.format;
      const name = outputName(url, made.kind === 'converted' ? '-compressed' : '-clean', format);
      const id = await download(result.data, MIME[format], name, source.incognito === true);
      await finished(id);
      const said = t('reportSaved', await writtenName(id, name), formatBytes(result.data.length));
      saved.textContent = compress && made.kind === 'cleaned' ? `${said} ${t('reportNotSmaller')}` : said;
    } catch (e) {
      saved.textContent = describeFailure(e);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  };
  buttons[0].addEventListener('click', () => void run(false));
  buttons[1].addEventListener('click', () => void run(true));
}

void main();
