// Unit tests of the converter's pure parts: the user's choice, output names,
// zip naming and contents, the one-line "reveals" summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unzipSync } from 'fflate';
import { defaultChoice, recipeOf, sameRecipe, sanitiseChoice, summarise, workOf, type Choice } from '../src/converter/choice';
import { uniqueNames, zipOf, zipSize } from '../src/converter/zip';
import { fromDrop } from '../src/converter/collect';
import { downloadName, renamed } from '../src/shared/names';
import { DEFAULTS } from '../src/shared/settings';
import { revealsBriefly } from '../src/pages/explain';
import { change } from '../src/shared/sizes';
import type { InspectReport } from '../src/engine/types';

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0]);
const GIF = new TextEncoder().encode('GIF89a');
const choice: Choice = { format: 'webp', quality: 70, maxWidth: 1920, maxHeight: 0, targetKB: 0, avifSpeed: 6, avifDepth: 8 };

test('a stored choice is sanitised; the settings give the first one', () => {
  assert.deepEqual(defaultChoice(DEFAULTS), {
    format: 'clean', quality: 80, maxWidth: 0, maxHeight: 0, targetKB: 0, avifSpeed: 6, avifDepth: 8,
  });
  assert.deepEqual(defaultChoice({ ...DEFAULTS, format: 'jpeg', maxDimension: 2560 }).maxWidth, 2560);
  assert.deepEqual(sanitiseChoice(null, choice), choice);
  assert.deepEqual(
    sanitiseChoice({ format: 'bmp', quality: 300, maxWidth: -4, maxHeight: 99999, targetKB: 12.4, avifSpeed: 5, avifDepth: 12 }, choice),
    { format: 'webp', quality: 100, maxWidth: 0, maxHeight: 16384, targetKB: 12, avifSpeed: 6, avifDepth: 8 },
  );
  assert.deepEqual(sanitiseChoice({ ...choice, avifSpeed: 4, avifDepth: 10 }, choice), { ...choice, avifSpeed: 4, avifDepth: 10 });
});

test('the choice becomes the engine call: clean is lossless, the rest convert; GIF kept becomes PNG', () => {
  assert.deepEqual(workOf({ ...choice, format: 'clean' }, DEFAULTS, JPEG), { op: 'clean', policy: { keepIcc: true, keepOrientation: true } });
  assert.deepEqual(workOf(choice, { ...DEFAULTS, keepIcc: false }, JPEG), {
    op: 'convert',
    options: { format: 'webp', quality: 70, maxWidth: 1920, maxHeight: null, targetBytes: null, colour: 'converttosrgb' },
  });
  // The AVIF options reach the engine only for AVIF.
  const avif = workOf({ ...choice, format: 'avif', avifSpeed: 8, avifDepth: 10 }, DEFAULTS, JPEG);
  assert.deepEqual(avif.op === 'convert' && [avif.options.avifSpeed, avif.options.avifDepth], [8, 10]);
  const gif = workOf({ ...choice, format: 'keep', targetKB: 100 }, DEFAULTS, GIF);
  assert.equal(gif.op === 'convert' && gif.options.format, 'png');
  assert.equal(gif.op === 'convert' && gif.options.targetBytes, 102400);
});

test('a copy is current while the choice and the settings that reach the engine are as they were', () => {
  const made = recipeOf(choice, DEFAULTS);
  assert.ok(sameRecipe(made, recipeOf({ ...choice }, { ...DEFAULTS, quality: 10, guardMode: 'off' })), 'settings the converter does not use');
  assert.ok(sameRecipe(made, recipeOf(choice, { ...DEFAULTS, keepOrientation: !DEFAULTS.keepOrientation })), 'a converted copy is upright either way');
  assert.ok(!sameRecipe(made, recipeOf(choice, { ...DEFAULTS, keepIcc: !DEFAULTS.keepIcc })), 'the colour profile');
  assert.ok(!sameRecipe(made, recipeOf({ ...choice, quality: 71 }, DEFAULTS)), 'the choice');
  const clean = { ...choice, format: 'clean' as const };
  assert.ok(!sameRecipe(recipeOf(clean, DEFAULTS), recipeOf(clean, { ...DEFAULTS, keepOrientation: !DEFAULTS.keepOrientation })), 'cleaning keeps or drops the orientation');
});

test('converted copies are named after the original, in their new format', () => {
  assert.equal(renamed('IMG_1.JPG', 'jpeg'), 'IMG_1.JPG');
  assert.equal(renamed('IMG_1.JPG', 'webp'), 'IMG_1.webp');
  assert.equal(renamed('holiday/day 2/beach.jpeg', 'png'), 'holiday/day 2/beach.png');
  assert.equal(renamed('anim.gif', 'png'), 'anim.png');
  assert.equal(renamed('no-extension', 'jpeg'), 'no-extension.jpg');
  assert.equal(renamed('.hidden', 'jpeg'), '.hidden.jpg');
  assert.equal(renamed('a:b?.png', 'webp'), 'a_b_.webp');
  // Also when the format stays: a Mac's "12/06" is 12:06 on disk; a Linux name may hold a backslash.
  assert.equal(renamed('12:06.jpg', 'jpeg'), '12_06.jpg');
  assert.equal(renamed('trip|2024/a\\b.JPG', 'jpeg'), 'trip_2024/a_b.JPG');
});

test('download names lose only the characters browsers refuse in them (both refused every one of these)', () => {
  // A Persian name with its zero-width non-joiner; bidi marks and overrides; a soft hyphen; a BOM; a tab.
  assert.equal(downloadName('\u0639\u06a9\u0633\u200c\u0647\u0627.jpg'), '\u0639\u06a9\u0633\u0647\u0627.jpg');
  assert.equal(downloadName('a\u200db\u200ec\u202ed\u00ade\ufefff\tg.webp'), 'abcdefg.webp');
  assert.equal(downloadName('holiday 😀 ж.png'), 'holiday 😀 ж.png');
  assert.equal(downloadName('\u200c.jpg'), 'image.jpg');
  assert.equal(downloadName('\u202e'), 'image');
  // A tilde may not begin a name, nor (Chromium) any folder in it.
  assert.equal(downloadName('~me.png'), 'me.png');
  assert.equal(downloadName('trip/~x.png'), 'trip/x.png');
  assert.equal(downloadName('~/ .x/a~b.jpg'), '_/x/a~b.jpg');
  assert.equal(downloadName('~.jpg'), 'image.jpg');
});

test('a zip never holds two files of one name', () => {
  assert.deepEqual(uniqueNames(['a.jpg', 'A.jpg', 'a.jpg', 'b', 'b', 'x/a.jpg', 'x.y/readme']), [
    'a.jpg', 'A (2).jpg', 'a (3).jpg', 'b', 'b (2)', 'x/a.jpg', 'x.y/readme',
  ]);
});

test('the zip holds each copy, byte for byte, stored', async () => {
  const one = new Uint8Array([1, 2, 3]);
  const two = new Uint8Array(100_000).map((_, i) => i % 251);
  const zip = await zipOf([
    { name: 'p.jpg', blob: new Blob([one]) },
    { name: 'p.jpg', blob: new Blob([two]) },
  ]);
  const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()));
  assert.deepEqual(Object.keys(entries), ['p.jpg', 'p (2).jpg']);
  assert.deepEqual(entries['p.jpg'], one);
  assert.deepEqual(entries['p (2).jpg'], two);
  assert.ok(zip.size > one.length + two.length, 'stored, not deflated');
});

test('a zip past what one can hold without Zip64 is refused in words, not saved broken', async () => {
  // Its size counts headers and names too: data just under 4 GiB no longer passes.
  const nearly = { name: 'video.mp4', blob: { size: 2 ** 32 - 100 } as Blob };
  await assert.rejects(zipOf([nearly]), /a zip here holds under 4 GB/);
  const many = Array.from({ length: 65_536 }, (_, i) => ({ name: `${i}.jpg`, blob: new Blob([]) }));
  await assert.rejects(zipOf(many), /65,536 copies; a zip here holds at most 65,535/);
  // The count made beforehand is never less than the zip fflate writes.
  const entries = [
    { name: 'été/photo ü.jpg', blob: new Blob([new Uint8Array(1000)]) },
    { name: 'b.png', blob: new Blob([]) },
  ];
  const zip = await zipOf(entries);
  assert.ok(zipSize(entries, uniqueNames(entries.map((e) => e.name))) >= zip.size);
});

test('what an image reveals, in a few words, most sensitive first; size changes as percentages', () => {
  const finding = (category: string) => ({ category, key: category, label: category, value: 'x', block: 0 });
  const report = { findings: ['time', 'display', 'location', 'device'].map(finding) } as unknown as InspectReport;
  assert.equal(revealsBriefly(report), 'location, dates, camera model');
  assert.equal(revealsBriefly({ findings: [finding('display')] } as unknown as InspectReport), '');
  assert.equal(change(1000, 260), '−74%');
  assert.equal(change(1000, 1030), '+3%');
  assert.equal(change(1000, 1000), '0%');
  assert.equal(change(1000, 999), '0%');
});

test('the choice folds into one line', () => {
  assert.equal(summarise(choice), 'WebP, quality 70, fit 1920 × any');
  assert.equal(summarise({ ...choice, format: 'clean' }), 'metadata removed only');
  assert.equal(summarise({ ...choice, format: 'keep', targetKB: 200, maxWidth: 0 }), 'same format, at most 200 KB');
  assert.equal(summarise({ ...choice, format: 'png', maxWidth: 0, maxHeight: 800 }), 'PNG, fit any × 800');
  assert.equal(summarise({ ...choice, format: 'avif', avifDepth: 10, maxWidth: 0 }), 'AVIF, quality 70, 10-bit');
});

// --- A dropped folder (converter/collect.ts) ---

type Entry = { name: string; isDirectory: boolean; isFile: boolean };
/** A file entry whose file() answers with `file`, or fails as an unreadable file's does. */
const fileEntry = (name: string, file?: File): Entry & { file(ok: (f: File) => void, fail: (e: Error) => void): void } => ({
  name, isDirectory: false, isFile: true,
  file: (ok, fail) => (file ? ok(file) : fail(new Error('NotReadableError'))),
});
/** A folder entry whose reader gives `children` in one batch, then none; or fails to list. */
const folderEntry = (name: string, children?: Entry[]) => ({
  name, isDirectory: true, isFile: false,
  createReader: () => {
    let given = false;
    return {
      readEntries: (ok: (batch: Entry[]) => void, fail: (e: Error) => void) => {
        if (!children) return fail(new Error('NotReadableError'));
        ok(given ? [] : children);
        given = true;
      },
    };
  },
});

test('a dropped folder with an entry that cannot be read adds the rest of it, and names what it left out', async () => {
  const photo = (name: string) => new File([JPEG], name, { type: 'image/jpeg' });
  const folder = folderEntry('trip', [
    fileEntry('a.jpg', photo('a.jpg')),
    fileEntry('broken-link.jpg'),
    folderEntry('locked'),
    folderEntry('day2', [fileEntry('b.jpg', photo('b.jpg')), fileEntry('notes.txt', new File(['x'], 'notes.txt', { type: 'text/plain' }))]),
  ]);
  const transfer = { items: [{ kind: 'file', webkitGetAsEntry: () => folder, getAsFile: () => null }] } as unknown as DataTransfer;
  const { picked, unread } = await fromDrop(transfer);
  assert.deepEqual(picked.map((p) => p.path), ['trip/a.jpg', 'trip/day2/b.jpg']);
  assert.deepEqual(unread, ['trip/broken-link.jpg', 'trip/locked/']);
});
