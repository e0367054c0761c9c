// Unit tests of the extension's pure modules (no browser): names, settings,
// menu ids, report links, report sections. Bundled and run by test/run.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMenuId } from '../src/background/menus';
import { baseName, outputName } from '../src/shared/names';
import { sourceFromHash, reportPageUrl } from '../src/shared/report-link';
import { convertOptionsOf, DEFAULTS, guardModeFor, sanitise, siteOrigin } from '../src/shared/settings';
import { facts, mapLink, sections } from '../src/pages/explain';
import type { InspectReport } from '../src/engine/types';

test('file names keep the original base name and say what was done', () => {
  assert.equal(outputName('https://x.test/photos/IMG_2041.JPG?size=large', '-clean', 'jpeg'), 'IMG_2041-clean.jpg');
  assert.equal(outputName('https://x.test/a/b/holiday%20photo.png', '-compressed', 'webp'), 'holiday photo-compressed.webp');
  assert.equal(baseName('data:image/png;base64,AAAA'), 'image');
  assert.equal(baseName('blob:https://x.test/5d1c'), 'image');
  assert.equal(baseName('https://x.test/'), 'image');
  assert.equal(baseName('https://x.test/..%2F..%2Fetc%2Fpasswd'), 'passwd');
  assert.equal(baseName('https://x.test/a%3Ab%7Cc%2A.jpg'), 'a_b_c_');
  assert.equal(baseName('https://x.test/%E0%A4%A.jpg'), '%E0%A4%A');
  assert.equal(baseName('not a url'), 'image');
  assert.equal(baseName(`https://x.test/${'a'.repeat(300)}.jpg`).length, 120);
});

test('stored settings are sanitised whatever storage holds', () => {
  assert.deepEqual(sanitise({}), DEFAULTS);
  assert.deepEqual(sanitise({ quality: 250, maxDimension: -5, format: 'bmp', keepIcc: 'yes' }), {
    ...DEFAULTS, quality: 100, maxDimension: 0,
  });
  assert.equal(sanitise({ quality: 42.6 }).quality, 43);
  assert.equal(sanitise({ quality: Number.NaN }).quality, DEFAULTS.quality);
});

test('conversion options follow the settings, the preset and the input', () => {
  const settings = { ...DEFAULTS, quality: 70, maxDimension: 2000, keepIcc: false };
  assert.deepEqual(convertOptionsOf(settings), {
    format: 'keep', quality: 70, maxWidth: 2000, maxHeight: 2000, colour: 'converttosrgb',
  });
  const preset = convertOptionsOf(settings, { quality: 60, maxDimension: 0, format: 'webp' });
  assert.equal(preset.maxWidth, null);
  assert.equal(preset.format, 'webp');
  const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]);
  assert.equal(convertOptionsOf(DEFAULTS, {}, gif).format, 'png', 'no GIF encoder: still GIFs become PNG');
  assert.equal(convertOptionsOf(DEFAULTS, { format: 'jpeg' }, gif).format, 'jpeg');
});

test('menu ids map to actions and nothing else', () => {
  assert.deepEqual(parseMenuId('traceless:clean'), { kind: 'clean' });
  assert.deepEqual(parseMenuId('traceless:compress:small'), { kind: 'compress', preset: 'small' });
  assert.deepEqual(parseMenuId('traceless:compress:settings'), { kind: 'compress', preset: 'settings' });
  assert.deepEqual(parseMenuId('traceless:save-as:webp'), { kind: 'save-as', format: 'webp' });
  assert.equal(parseMenuId('traceless:save-as:gif'), undefined);
  assert.equal(parseMenuId('traceless:compress:huge'), undefined);
  assert.equal(parseMenuId('other:clean'), undefined);
  assert.equal(parseMenuId(7), undefined);
});

test('report links round-trip and reject junk', () => {
  const source = { srcUrl: 'https://x.test/a.jpg#frag', pageUrl: 'https://x.test/', tabId: 4, frameId: 0 };
  const url = reportPageUrl(source);
  assert.deepEqual(sourceFromHash(url.slice(url.indexOf('#'))), source);
  assert.equal(sourceFromHash('#%7Bnot json'), undefined);
  assert.equal(sourceFromHash('#' + encodeURIComponent('{"srcUrl":5}')), undefined);
  assert.deepEqual(sourceFromHash('#' + encodeURIComponent('{"srcUrl":"u","tabId":"4"}')), {
    srcUrl: 'u', pageUrl: undefined, tabId: undefined, frameId: undefined,
  });
});

test('report sections: most sensitive first, display information left out', () => {
  const report = {
    format: 'jpeg', mime: 'image/jpeg', width: 640, height: 480, frames: 1, bytes: 161713, blocks: [],
    findings: [
      { category: 'time', key: 'k', label: 'Date taken', value: '2008', block: 1 },
      { category: 'display', key: 'k', label: 'Orientation', value: '1', block: 1 },
      { category: 'location', key: 'k', label: 'GPS position', value: '1, 2', block: 1 },
    ],
    findings_omitted: 0, location: { latitude: 1, longitude: 2 }, orientation: 1, icc: null, summary: '',
  } satisfies InspectReport;
  assert.deepEqual(sections(report).map((s) => s.category), ['location', 'time']);
  assert.equal(facts(report), 'JPEG, 640 × 480 pixels · 157.9 KB');
  assert.equal(mapLink(43.4674481, 11.885127), 'https://www.openstreetmap.org/?mlat=43.467448&mlon=11.885127#map=15/43.467448/11.885127');
});

test('guard modes: per-site rules by origin, junk dropped', () => {
  assert.equal(siteOrigin('example.com'), 'https://example.com');
  assert.equal(siteOrigin('http://example.com:8080/path?q'), 'http://example.com:8080');
  assert.equal(siteOrigin('ftp://example.com'), undefined);
  assert.equal(siteOrigin('not a site at all'), undefined);
  const settings = sanitise({
    guardMode: 'recompress',
    siteModes: { 'https://a.test/x': 'off', 'b.test': 'clean', 'https://c.test': 'explode', 'ftp://d.test': 'off' },
  });
  assert.deepEqual(settings.siteModes, { 'https://a.test': 'off', 'https://b.test': 'clean' });
  assert.equal(guardModeFor(settings, 'https://a.test'), 'off');
  assert.equal(guardModeFor(settings, 'https://elsewhere.test'), 'recompress');
  assert.equal(sanitise({ guardMode: 'sometimes' }).guardMode, 'clean');
  assert.equal(sanitise({ siteModes: 'all' }).siteModes.constructor, Object);
});

test('animations are told apart from still images as the engine counts frames (every corpus GIF, PNG, WebP)', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { isAnimated } = await import('../src/shared/file-kinds');
  const corpus = process.env.TRACELESS_CORPUS ?? join(process.cwd(), '..', 'shared', 'corpus');
  const rows = readFileSync(join(corpus, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  let checked = 0;
  for (const row of rows) {
    const [path, format, animated] = [row[0], row[1], row[12]];
    if (!['GIF', 'PNG', 'APNG', 'WEBP'].includes(format)) continue;
    assert.equal(isAnimated(new Uint8Array(readFileSync(join(corpus, path)))), animated === '1', path);
    checked += 1;
  }
  assert.ok(checked > 100, `only ${checked} files`);
});

test('settings stored by every earlier version load as they were meant, the newer settings at their defaults', () => {
  // What storage.sync held after a user changed every setting, as each earlier version
  // wrote it (the shapes of extension/src/shared/settings.ts at those commits).
  const v66e232a = { format: 'webp', quality: 55, maxDimension: 1200, keepIcc: false, keepOrientation: false };
  assert.deepEqual(sanitise(v66e232a), { ...DEFAULTS, ...v66e232a });
  // 9c700f0 added the guard's modes, per-site rules and failure policy.
  const v9c700f0 = { ...v66e232a, guardMode: 'recompress', siteModes: { 'https://x.test': 'off' }, passUncleanable: true };
  assert.deepEqual(sanitise(v9c700f0), { ...DEFAULTS, ...v9c700f0 });
  // 9158f1a added "send HEIC photos as JPEG"; nothing was renamed or re-scaled since.
  const v9158f1a = { ...v9c700f0, heicToJpeg: true };
  assert.deepEqual(sanitise(v9158f1a), v9158f1a);
  assert.deepEqual(Object.keys(DEFAULTS).sort(), Object.keys(v9158f1a).sort(), 'a new setting needs a line here and a default');
});

test('messages: every locale has every English key with the same placeholders; every key the code asks for exists', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const locales = join(process.cwd(), 'extension', '_locales');
  type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;
  const read = (locale: string): Messages => JSON.parse(readFileSync(join(locales, locale, 'messages.json'), 'utf8'));
  const english = read('en');
  const shape = (m: Messages) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, [...v.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((x) => x[1].toLowerCase()).sort()]));
  const shipped = readdirSync(locales).sort();
  assert.deepEqual(shipped, ['de', 'en', 'es', 'fr', 'pt_BR'], 'English, German, French, Spanish, Brazilian Portuguese');
  for (const locale of shipped) {
    const messages = read(locale);
    assert.deepEqual(shape(messages), shape(english), `${locale}: the same keys and placeholders as en`);
    for (const [key, entry] of Object.entries(messages)) {
      // Placeholders are declared per locale: each must be, with English's content ($1, $2).
      for (const name of shape({ [key]: entry })[key]) {
        assert.equal(entry.placeholders?.[name]?.content, english[key].placeholders?.[name]?.content, `${locale} ${key} $${name}$`);
      }
      assert.ok(entry.message.trim().length > 0, `${locale} ${key} is empty`);
    }
    assert.ok(messages.extensionDescription.message.length <= 132, `${locale}: the description fits the stores' 132 characters`);
    assert.equal(messages.locale.message, locale.replace('_', '-'), `${locale}: its own language tag`);
  }
  // Every t('key') in the sources, and every __MSG_key__ in the manifest, is an English key.
  const sources: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) sources.push(readFileSync(path, 'utf8'));
    }
  };
  walk(join(process.cwd(), 'extension', 'src'));
  const asked = [
    ...sources.flatMap((s) => [...s.matchAll(/\bt\('([A-Za-z0-9_]+)'/g)].map((m) => m[1])),
    ...[...readFileSync(join(process.cwd(), 'manifest.json'), 'utf8').matchAll(/__MSG_([A-Za-z0-9_]+)__/g)].map((m) => m[1]),
  ];
  assert.ok(asked.length >= 12, `${asked.length} keys asked for`);
  for (const key of asked) assert.ok(key in english, `${key} is not in _locales/en/messages.json`);
});

test('messages: placeholders are filled as the browser fills them', async () => {
  const { t } = await import('../src/shared/i18n');
  assert.equal(t('menuSaveAs', 'WebP'), 'Save as WebP');
  assert.equal(t('menuPresetBalanced', 2560), 'Balanced (up to 2,560 px)', 'numbers as the language writes them');
  assert.equal(t('menuClean'), 'Remove metadata and save');
});
