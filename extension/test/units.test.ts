// Unit tests of the extension's pure modules (no browser): names, settings,
// menu ids, report sections. Bundled and run by test/run.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMenuId } from '../src/background/menus';
import { baseName, freeName, outputName, undatedName } from '../src/shared/names';
import { convertOptionsOf, DEFAULTS, guardModeFor, sanitise, siteOrigin } from '../src/shared/settings';
import { facts, mapLink, sections } from '../src/pages/explain';
import { samePage } from '../src/shared/messages';
import type { Finding, InspectReport } from '../src/engine/types';

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

test('the names phones, cameras and apps give files lose their dates and times for a random token; other names are kept', () => {
  const cases: [string, string][] = [
    ['PXL_20240612_093512345.jpg', 'PXL_x7.jpg'], // Pixel
    ['PXL_20240612_093512345.MP.jpg', 'PXL_x7.MP.jpg'], // Pixel motion photo
    ['IMG_20240612_093512.jpg', 'IMG_x7.jpg'], // most Android cameras
    ['IMG_20240612_093512_1.jpg', 'IMG_x7_1.jpg'],
    ['VID_20240612_093512.mp4', 'VID_x7.mp4'],
    ['20240612_093512.jpg', 'image_x7.jpg'], // Samsung
    ['20240612_093512(0).jpg', 'x7(0).jpg'],
    ['IMG20240612093512.jpg', 'IMG_x7.jpg'], // Oppo, Realme
    ['IMG-20240612-WA0001.jpg', 'IMG-x7-WA0001.jpg'], // WhatsApp on Android
    ['WhatsApp Image 2024-06-12 at 09.35.12.jpeg', 'WhatsApp Image x7.jpeg'], // WhatsApp on the desktop
    ['WhatsApp Image 2024-06-12 at 09.35.12 (1).jpeg', 'WhatsApp Image x7 (1).jpeg'],
    ['WhatsApp Image 2024-06-12 at 09.35.12_4f3e2a1b.jpeg', 'WhatsApp Image x7_4f3e2a1b.jpeg'], // what follows a time is not taken for its milliseconds
    ['Screenshot 2024-06-12 at 9.35.12\u202fAM.png', 'Screenshot x7.png'], // macOS, narrow space before AM
    ['Bildschirmfoto 2024-06-12 um 09.35.12.png', 'Bildschirmfoto x7.png'],
    ['Capture d’écran 2024-06-12 à 09.35.12.png', 'Capture d’écran x7.png'],
    ['Captura de pantalla 2024-06-12 a las 9.35.12.png', 'Captura de pantalla x7.png'],
    ['Снимок экрана 2024-06-12 в 09.35.12.png', 'Снимок экрана x7.png'],
    ['截屏2024-06-12 下午9.35.12.png', '截屏_x7.png'],
    ['Screenshot_20240612-093512_Chrome.jpg', 'Screenshot_x7_Chrome.jpg'], // Android
    ['Screenshot_2024-06-12-09-35-12-345_com.android.chrome.jpg', 'Screenshot_x7_com.android.chrome.jpg'],
    ['Screenshot from 2024-06-12 09-35-12.png', 'Screenshot from x7.png'], // GNOME
    ['signal-2024-06-12-093512.jpg', 'signal-x7.jpg'],
    ['photo_2024-06-12_09-35-12.jpg', 'photo_x7.jpg'], // Telegram
    ['2024-06-12T09-35-12.heic', 'image_x7.heic'],
    ['2024-06-12T09:35:12+0200.jpg', 'image_x7.jpg'],
    ['Photo 2024-06-12 09.35 amsterdam.jpg', 'Photo x7 amsterdam.jpg'], // "am" begins a word here
    ['Photo 12.06.2024.jpg', 'Photo x7.jpg'],
    ['image_1718184912345.png', 'image_x7.png'], // a web app's Unix time in milliseconds
    ['1718184912.jpg', 'image_x7.jpg'],
    ['folder/PXL_20240612_093512345.jpg', 'folder/PXL_x7.jpg'],
    ['.20240612', 'image_x7'], // a name that is all date
    // Kept: counters, user names, numbers that are not dates.
    ['IMG_1234.JPG', 'IMG_1234.JPG'],
    ['DSC_0042.NEF.jpg', 'DSC_0042.NEF.jpg'],
    ['passport photo.jpg', 'passport photo.jpg'],
    ['IMG_E1234.HEIC', 'IMG_E1234.HEIC'],
    ['scan-12345678.png', 'scan-12345678.png'], // eight digits, not a date (month 56)
    ['invoice-20241340.jpg', 'invoice-20241340.jpg'], // month 13
    ['A120240612.jpg', 'A120240612.jpg'], // digits run on: not a date of its own
    ['Chapter 1 2 2021.jpg', 'Chapter 1 2 2021.jpg'], // spaces, not a day-first date
    ['Apartment 12 3 2024.jpg', 'Apartment 12 3 2024.jpg'],
    ['v1.10.2023 logo.png', 'v1.10.2023 logo.png'], // a version
  ];
  for (const [name, expected] of cases) assert.equal(undatedName(name, 'x7'), expected, name);
  // The token is random: photos uploaded one at a time stay apart.
  const [one, two] = [undatedName('PXL_20240612_093512345.jpg'), undatedName('PXL_20240612_093512345.jpg')];
  assert.match(one, /^PXL_[a-z0-9]{6}\.jpg$/);
  assert.notEqual(one, two);
});

test('names made alike within a selection are told apart', () => {
  const taken = new Set(['pxl.jpg']);
  assert.equal(freeName('PXL.jpg', taken), 'PXL-2.jpg');
  assert.equal(freeName('PXL.jpg', taken), 'PXL-3.jpg');
  assert.equal(freeName('image', taken), 'image');
  assert.equal(freeName('image', taken), 'image-2');
  // Paths in a chosen folder: the name's extension, not a dot in a folder's name.
  assert.equal(freeName('holiday/PXL.jpg', taken), 'holiday/PXL.jpg');
  assert.equal(freeName('holiday/PXL.jpg', taken), 'holiday/PXL-2.jpg');
  assert.equal(freeName('v1.2/scan', new Set(['v1.2/scan'])), 'v1.2/scan-2');
  assert.equal(freeName('.hidden', new Set(['.hidden'])), '.hidden-2');
});

test('image sequences are told by their brands; a cleaned one keeps its .avifs or .heics name', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { isImageSequence } = await import('../src/shared/file-kinds');
  const { renamed } = await import('../src/shared/names');
  const corpus = process.env.TRACELESS_CORPUS ?? join(process.cwd(), '..', 'shared', 'corpus');
  const read = (rel: string) => new Uint8Array(readFileSync(join(corpus, rel)));
  assert.ok(isImageSequence(read('link-u-avif-sample-images/star-8bpc.avifs')));
  assert.ok(!isImageSequence(read('link-u-avif-sample-images/kimono.avif')));
  assert.ok(!isImageSequence(read('exiftool/t/images/GPS.jpg')));
  assert.equal(renamed('star.avifs', 'avif'), 'star.avifs');
  assert.equal(renamed('burst.heics', 'heif'), 'burst.heics');
  assert.equal(renamed('star.avifs', 'webp'), 'star.webp');
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
  assert.deepEqual(sanitise(v9158f1a), { ...DEFAULTS, ...v9158f1a });
  // Then "take dates out of the names of files sent to sites" (on unless turned off).
  const vUndated = { ...v9158f1a, undatedNames: false };
  assert.deepEqual(sanitise(vUndated), vUndated);
  assert.equal(sanitise(v9158f1a).undatedNames, true, 'on for those who never saw it');
  assert.deepEqual(Object.keys(DEFAULTS).sort(), Object.keys(vUndated).sort(), 'a new setting needs a line here and a default');
});

test('messages: every locale has every English key with the same placeholders, and each plural form its language uses; every key the code asks for exists and is used', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const locales = join(process.cwd(), 'extension', '_locales');
  type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;
  const read = (locale: string): Messages => JSON.parse(readFileSync(join(locales, locale, 'messages.json'), 'utf8'));
  const english = read('en');
  const named = (message: string) => [...message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((x) => x[1].toLowerCase()).sort();
  const plural = /^(.+)_(zero|one|two|few|many|other)$/;
  const bases = new Set(Object.keys(english).flatMap((k) => (k.endsWith('_other') ? [k.slice(0, -'_other'.length)] : [])));
  const shipped = readdirSync(locales).sort();
  assert.deepEqual(shipped, ['de', 'en', 'es', 'fr', 'pt_BR'], 'English, German, French, Spanish, Brazilian Portuguese');
  for (const locale of shipped) {
    const messages = read(locale);
    const tag = locale === 'en' ? 'en-GB' : locale.replace('_', '-');
    assert.equal(messages.locale.message, tag, `${locale}: its own language tag`);
    // What this language's words must cover: the English keys that are not counted,
    // and for each counted message every plural category the language has.
    const categories = new Intl.PluralRules(tag).resolvedOptions().pluralCategories;
    const expected = [
      ...Object.keys(english).filter((k) => !bases.has(k.match(plural)?.[1] ?? '')),
      ...[...bases].flatMap((base) => categories.map((c) => `${base}_${c}`)),
    ].sort();
    assert.deepEqual(Object.keys(messages).sort(), expected, `${locale}: the keys of en, with ${categories.join('/')} for each counted message`);
    for (const [key, entry] of Object.entries(messages)) {
      const counted = key.match(plural)?.[1];
      const model = english[counted && bases.has(counted) ? `${counted}_other` : key];
      assert.deepEqual(named(entry.message), named(model.message), `${locale} ${key}: the placeholders of en`);
      // Placeholders are declared per locale: each must be, with English's content ($1, $2).
      for (const name of named(entry.message)) {
        assert.equal(entry.placeholders?.[name]?.content, model.placeholders?.[name]?.content, `${locale} ${key} $${name}$`);
      }
      assert.ok(entry.message.trim().length > 0, `${locale} ${key} is empty`);
    }
    assert.ok(messages.extensionDescription.message.length <= 132, `${locale}: the description fits the stores' 132 characters`);
  }
  // Every key the sources ask for (t('key'), tn('key'), data-i18n="key" in the pages,
  // __MSG_key__ in the manifest) is an English key, and every English key is asked for
  // (tables of keys name them as string literals).
  const sources: string[] = [];
  const walk = (dir: string, suffix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, suffix);
      else if (entry.name.endsWith(suffix)) sources.push(readFileSync(path, 'utf8'));
    }
  };
  walk(join(process.cwd(), 'extension', 'src'), '.ts');
  walk(join(process.cwd(), 'extension', 'static'), '.html');
  const manifest = readFileSync(join(process.cwd(), 'manifest.json'), 'utf8');
  const asked = [
    ...sources.flatMap((s) => [...s.matchAll(/\bt\('([A-Za-z0-9_]+)'/g)].map((m) => m[1])),
    ...sources.flatMap((s) => [...s.matchAll(/\btn\('([A-Za-z0-9_]+)'/g)].map((m) => `${m[1]}_other`)),
    ...sources.flatMap((s) => [...s.matchAll(/data-i18n(?:-[a-z-]+)?="([A-Za-z0-9_]+)"/g)].map((m) => m[1])),
    ...[...manifest.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)].map((m) => m[1]),
  ];
  assert.ok(asked.length >= 200, `${asked.length} keys asked for`);
  for (const key of asked) assert.ok(key in english, `${key} is not in _locales/en/messages.json`);
  const everything = sources.join('\n') + manifest;
  for (const key of Object.keys(english)) {
    const name = key.match(plural)?.[1] ?? key;
    assert.ok(key === 'locale' || everything.includes(`'${name}'`) || everything.includes(`"${name}"`) || everything.includes(`__MSG_${name}__`), `${key} is never used`);
  }
});

test('messages: placeholders are filled as the browser fills them', async () => {
  const { t } = await import('../src/shared/i18n');
  assert.equal(t('menuSaveAs', 'WebP'), 'Save as WebP');
  assert.equal(t('menuPresetBalanced', 2560), 'Balanced (up to 2,560 px)', 'numbers as the language writes them');
  assert.equal(t('menuClean'), 'Remove metadata and save');
});

test('counted messages, lists and sizes in English (the plural form by Intl.PluralRules)', async () => {
  const { tn, list } = await import('../src/shared/i18n');
  const { formatBytes, change } = await import('../src/shared/sizes');
  assert.equal(tn('converterConvertImages', 1), 'Convert 1 image');
  assert.equal(tn('converterConvertImages', 1200), 'Convert 1,200 images');
  assert.equal(tn('zipSaved', 2, '1.0 MB'), 'Saved a zip of 2 files (1.0 MB).', 'further substitutions follow the count');
  assert.equal(list(['location', 'dates', 'camera model']), 'location, dates and camera model', 'no serial comma: British English');
  assert.deepEqual([formatBytes(1), formatBytes(512), formatBytes(161713), formatBytes(5 * 2 ** 20)], ['1 byte', '512 bytes', '157.9 KB', '5.0 MB']);
  assert.equal(change(1000, 260), '−74%');
});

test('what was removed, in a few words: the two most sensitive kinds, then a count', async () => {
  const { summarise } = await import('../src/pages/explain');
  const finding = (category: string) => ({ category, key: category, label: category, value: 'x', block: 0 }) as Finding;
  assert.equal(summarise(['time'].map(finding)), 'dates');
  assert.equal(summarise(['time', 'location'].map(finding)), 'location and dates');
  assert.equal(summarise(['time', 'location', 'device'].map(finding)), 'location, dates and camera model');
  assert.equal(summarise(['time', 'location', 'device', 'software', 'display'].map(finding)), 'location, dates and 2 other kinds of data');
});

test('field names: the engine key chooses the message; raw names stay as the engine gives them', async () => {
  const { fieldLabel } = await import('../src/pages/field-labels');
  const finding = (key: string, label: string) => ({ category: 'other', key, label, value: '', block: 0 }) as Finding;
  assert.equal(fieldLabel(finding('EXIF Make', 'Camera maker')), 'Camera maker');
  assert.equal(fieldLabel(finding('PNG iTXt Author', 'Author')), 'Author');
  assert.equal(fieldLabel(finding("item 50 'hvc1': thumbnail", 'Embedded thumbnail image')), 'Embedded thumbnail image');
  assert.equal(fieldLabel(finding('XMP xmpMM:DocumentID', 'xmpMM:DocumentID')), 'xmpMM:DocumentID');
});

test("a video's field names: every label the engine's video reader gives has a message", async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { fieldLabel } = await import('../src/pages/field-labels');
  const read = (file: string) => readFileSync(join(process.cwd(), 'core/src/video', file), 'utf8');
  const all = ['metadata.rs', 'movie.rs', 'mod.rs'].map(read).join('\n');
  const grab = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]);
  // The labels as the Rust code writes them: classify's arms, Item::new's third argument,
  // the vendors' and timed-metadata tracks' match arms, and the dates' "Created (movie)".
  const dates = grab(read('movie.rs'), /self\.dates\([^,]+, "([^"]+)"\)/g).flatMap((what) => [`Created (${what})`, `Modified (${what})`]);
  const labels = new Set([
    ...grab(all, /\(Category::\w+, "([^"]+)"\)/g),
    ...grab(all, /Item::new\(\s*Category::\w+,\s*(?:"[^"]*"|format!\("[^"]*"(?:, [^()]*(?:\([^()]*\))?)?\)),\s*"([^"]+)"/g),
    ...grab(read('metadata.rs'), /(?:b"[^"]{4}"(?: \| b"[^"]{4}")*|_) => "([^"]+)",/g),
    ...grab(read('movie.rs'), /(?:Some\(b"\w{4}"\)|_) => "([^"]+)",/g),
    ...grab(all, /let label = "([^"]+)";/g),
    ...dates,
  ]);
  assert.ok(labels.size >= 35 && labels.has('Live Photo pairing identifier') && labels.has('Created (track media)'), [...labels].join());
  // Each message key shows through a stand-in for the browser's i18n API.
  const global = globalThis as { chrome?: unknown };
  global.chrome = { i18n: { getMessage: (key: string) => `<${key}>` } };
  try {
    for (const label of labels) {
      const finding = { category: 'other', key: 'QuickTime ©xyz', label, value: '', block: 0 } as Finding;
      assert.match(fieldLabel(finding), /^<\w+>$/, `no message for the video label "${label}"`);
    }
    const other = { category: 'other', key: 'XMP xmpMM:DocumentID', label: 'Location', value: '', block: 0 } as Finding;
    assert.equal(fieldLabel(other), 'Location', 'only video findings are looked up by label');
  } finally {
    delete global.chrome;
  }
});

test('engine refusals: every reason code of the engine has its sentence; others keep the engine detail', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { describeFailure, reasonText } = await import('../src/shared/failure');
  const { EngineError } = await import('../src/engine/types');
  const rust = readFileSync(join(process.cwd(), 'core/src/error.rs'), 'utf8');
  const codes = [...rust.matchAll(/pub const [A-Z_]+: &str = "([a-z_]+)";/g)].map((m) => m[1]);
  assert.ok(codes.length >= 9, codes.join());
  for (const code of codes) {
    assert.ok(reasonText({ code: code as never, args: ['1', '2', '3'] }), `no sentence for the engine's reason "${code}"`);
  }
  const tiff = new EngineError('unsupported image type: this is a TIFF file; …', 'unsupported', { code: 'other_type', args: ['TIFF'] });
  assert.equal(describeFailure(tiff), 'Traceless cannot process this image. This is a TIFF file. Traceless cleans JPEG, PNG, WebP, GIF, HEIC and AVIF images.');
  const gif = new EngineError('…', 'unsupported', { code: 'animated_to_single', args: ['GIF', '8', 'JPEG'] });
  assert.match(describeFailure(gif), /This GIF is animated \(8 frames\) and JPEG holds a single picture/);
  const damaged = new EngineError('corrupt JPEG at byte 20: bad segment length', 'corrupt');
  assert.equal(describeFailure(damaged), 'The image is damaged. (Details: corrupt JPEG at byte 20: bad segment length)');
  assert.equal(describeFailure(new EngineError('', 'empty'), 'video'), 'The file is empty (0 bytes).');
});

test("field values: the engine's English words said again (sizes, counts, altitude, orientation); people's words untouched", async () => {
  const { fieldValue } = await import('../src/pages/field-values');
  const finding = (key: string, value: string, category = 'other') => ({ category, key, label: '', value, block: 0 }) as Finding;
  assert.equal(fieldValue(finding('EXIF IFD1 thumbnail', '157.9 KB', 'thumbnail')), '157.9 KB');
  assert.equal(fieldValue(finding('EXIF MakerNote', '1009 bytes', 'maker_notes')), '1,009 bytes');
  assert.equal(fieldValue(finding('IPTC other', '1 fields')), '1 field', 'the engine says "1 fields"');
  assert.equal(fieldValue(finding('XMP other', '2 properties: dc:format, xmp:Rating')), '2 properties: dc:format, xmp:Rating');
  assert.equal(fieldValue(finding('EXIF GPSAltitude', '1260.6 m above sea level', 'location')), '1,260.6 m above sea level');
  assert.equal(fieldValue(finding('EXIF Orientation', 'row 0 at right and column 0 at top', 'display')), 'Turned 90° clockwise');
  assert.equal(fieldValue(finding('ICC profile', 'Display P3 (548 bytes)', 'display')), 'Display P3 (548 bytes)');
  assert.equal(fieldValue(finding('IPTC Caption', '3 frames', 'text')), '3 frames', "a caption is the author's words");
  assert.equal(fieldValue(finding('EXIF Model', 'C2000Z', 'device')), 'C2000Z');
});

test('a notice is for the page clicked in: the same origin, or for pages without one the same address', () => {
  assert.equal(samePage('https://a.example/menu.html', 'https://a.example/other?x#y'), true);
  assert.equal(samePage('https://a.example/menu.html', 'https://b.example/menu.html'), false);
  assert.equal(samePage('https://a.example/', 'http://a.example/'), false);
  assert.equal(samePage('file:///home/me/a.html', 'file:///home/me/a.html#top'), true);
  assert.equal(samePage('file:///home/me/a.html', 'file:///home/me/b.html'), false);
  // Chromium's origin of any file is "file://": two files are still two pages.
  assert.equal(samePage('file:///home/me/a.html', 'https://a.example/'), false);
  assert.equal(samePage('https://a.example/', 'data:text/html,hi'), false);
  assert.equal(samePage('not a url', 'not a url'), false);
});
