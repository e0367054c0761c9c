// Unit tests of the upload guard's pure parts: which files it treats as images or
// videos (by name, type, or the first bytes of a renamed file), and folder walking bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasImageMagic, hasVideoMagic, kindOf } from '../src/shared/file-kinds';
import { walkEntries } from '../src/content/guard/folders';
import { describe } from '../src/content/guard/report';
import type { FileOutcome } from '../src/content/guard/clean-files';
import { siteName } from '../src/content/site-name';
import type { Finding } from '../src/engine/types';

// Node has no FileReader; kindOf reads a file's head with one, as the browsers do
// (e2e: tests/e2e/hostile/then-getter.html). This one does what it needs: one read.
(globalThis as { FileReader?: unknown }).FileReader ??= class {
  result: ArrayBuffer | null = null;
  error: Error | null = null;
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  readAsArrayBuffer(blob: Blob): void {
    blob.arrayBuffer().then(
      (buffer) => {
        this.result = buffer;
        this.onload?.();
      },
      (e: Error) => {
        this.error = e;
        this.onerror?.();
      },
    );
  }
};

const corpus = process.env.TRACELESS_CORPUS ?? join(process.cwd(), '..', 'shared', 'corpus');
const head = (rel: string) => new Uint8Array(readFileSync(join(corpus, rel)).subarray(0, 16));

test('image magic: every format the engine cleans or names, from real corpus files', () => {
  for (const rel of [
    'ianare-exif-samples/jpg/gps/DSCN0010.jpg',
    'image-rs-image/tests/images/png/iptc.png',
    'exiftool/t/images/GIF.gif',
    'image-rs-image/tests/images/webp/lossless_images/simple_xmp.webp',
    'ianare-exif-samples/heic/IMG_5195.HEIC',
  ]) {
    assert.ok(hasImageMagic(head(rel)), rel);
  }
  const text = new TextEncoder().encode('not an image at all, just text');
  assert.equal(hasImageMagic(text), false);
  assert.equal(hasImageMagic(new Uint8Array(0)), false);
  // An MP4 video is not taken for an image (brand isom).
  assert.equal(hasImageMagic(new Uint8Array([0, 0, 0, 0x18, ...new TextEncoder().encode('ftypisom')])), false);
});

test('a photo renamed to hide what it is is still an image; a text file is not', async () => {
  const photo = readFileSync(join(corpus, 'ianare-exif-samples/jpg/gps/DSCN0010.jpg'));
  assert.equal(await kindOf(new File([photo], 'holiday.dat', { type: 'application/octet-stream' })), 'image');
  assert.equal(await kindOf(new File([photo], 'notes.txt', { type: 'text/plain' })), 'image');
  assert.equal(await kindOf(new File(['hello'], 'notes.txt', { type: 'text/plain' })), 'other');
  assert.equal(await kindOf(new File([], 'empty.jpg', { type: '' })), 'image', 'named as an image: the engine decides');
});

test('videos by content first (a video named photo.jpg is a video), then by type or name', async () => {
  const bytes = (text: string) => new Uint8Array([0, 0, 0, 0x18, ...new TextEncoder().encode(text)]);
  assert.equal(hasVideoMagic(bytes('ftypisom')), true);
  assert.equal(hasVideoMagic(bytes('ftypqt  ')), true);
  assert.equal(hasVideoMagic(bytes('moov')), true, 'QuickTime without ftyp');
  assert.equal(hasVideoMagic(bytes('ftypheic')), false, 'a HEIC photo');
  assert.equal(hasVideoMagic(head('ianare-exif-samples/heic/IMG_5195.HEIC')), false);
  assert.equal(await kindOf(new File([bytes('ftypisom')], 'photo.jpg', { type: 'image/jpeg' })), 'video');
  assert.equal(await kindOf(new File(['webm bytes'], 'clip.webm', { type: 'video/webm' })), 'video', 'held back if not cleanable');
  assert.equal(await kindOf(new File(['?'], 'clip.MOV', { type: '' })), 'video');
});

test('camera raw files are images (held back with a notice), whatever their name or type', async () => {
  // Their first bytes as the cameras write them: ORF, RW2, RAF, CR3 (ISO boxes, no video).
  const text = (value: string) => [...new TextEncoder().encode(value)];
  const heads = {
    orf: [...text('IIRO'), 8, 0, 0, 0],
    rw2: [0x49, 0x49, 0x55, 0x00, 0x18, 0, 0, 0],
    raf: text('FUJIFILMCCD-RAW 0201'),
    cr3: [0, 0, 0, 0x18, ...text('ftypcrx '), 0, 0, 0, 1],
  };
  for (const [name, bytes] of Object.entries(heads)) {
    const file = new File([new Uint8Array([...bytes, ...new Array(64).fill(0)])], `upload.bin`, { type: '' });
    assert.equal(await kindOf(file), 'image', `${name} by its first bytes`);
    assert.equal(await kindOf(new File(['?'], `P1010001.${name.toUpperCase()}`, { type: '' })), 'image', `${name} by its name`);
  }
  assert.equal(hasVideoMagic(new Uint8Array(heads.cr3)), false, 'a CR3 is no video');
});

/** A FileSystemEntry tree in memory, as a dropped folder presents itself. */
function folder(name: string, children: FileSystemEntry[]): FileSystemEntry {
  let given = false;
  return {
    name, isFile: false, isDirectory: true,
    createReader: () => ({
      // readEntries answers in batches, then an empty batch.
      readEntries: (ok: (entries: FileSystemEntry[]) => void) => {
        ok(given ? [] : children);
        given = true;
      },
    }),
  } as unknown as FileSystemEntry;
}
function file(name: string): FileSystemEntry {
  return { name, isFile: true, isDirectory: false, file: (ok: (f: File) => void) => ok(new File(['x'], name)) } as unknown as FileSystemEntry;
}

test('dropped folders: every file inside, in order, with its place; too many files or too deep is held back whole', async () => {
  const tree = () => [folder('trip', [file('a.jpg'), folder('day2', [file('b.jpg'), file('notes.txt')])]), file('c.png')];
  const walked = await walkEntries(tree(), { maxFiles: 10, maxDepth: 8 });
  assert.deepEqual(walked.files.map((f) => f.name), ['a.jpg', 'b.jpg', 'notes.txt', 'c.png']);
  assert.equal(walked.refused, undefined);
  // And where each was, for the page's entries (dropped-folders.ts): indexes into `files`.
  assert.deepEqual(walked.tops, [
    { name: 'trip', folder: [{ name: 'a.jpg', file: 0 }, { name: 'day2', folder: [{ name: 'b.jpg', file: 1 }, { name: 'notes.txt', file: 2 }] }] },
    { name: 'c.png', file: 3 },
  ]);
  const many = await walkEntries(tree(), { maxFiles: 3, maxDepth: 8 });
  assert.deepEqual(many.files, []);
  assert.match(many.refused ?? '', /more than 3 files/);
  const deep = await walkEntries(tree(), { maxFiles: 10, maxDepth: 1 });
  assert.match(deep.refused ?? '', /deeper than 1/);
});

test('the upload notice names a HEIC sent as JPEG or a name without its date, counts several, and says why one went as HEIC', () => {
  const file = (name: string) => new File([new Uint8Array([1])], name, { type: name.endsWith('.jpg') ? 'image/jpeg' : 'image/heic' });
  const place: Finding = { category: 'location', key: 'GPS', label: 'GPS position', value: '1, 2', block: 0 };
  const sent = (name: string, removed: Finding[], from?: string): FileOutcome => ({ kind: 'cleaned', file: file(name), removed, renamedFrom: from, converted: from !== undefined });
  const undated = (name: string, removed: Finding[], from: string): FileOutcome => ({ kind: 'cleaned', file: file(name), removed, renamedFrom: from, undated: true });
  const texts = (outcomes: FileOutcome[]) => describe(outcomes).map((n) => `${n.tone}: ${n.text}`);

  // One, with something removed: the removal notice names both names.
  assert.deepEqual(texts([sent('A.jpg', [place], 'A.HEIC')]), ['info: Removed location from A.HEIC and sent it as A.jpg before the upload.']);
  // One with nothing removed: still told of the new name.
  assert.deepEqual(texts([sent('A.jpg', [], 'A.HEIC')]), ['info: Sent A.HEIC as A.jpg before the upload.']);
  // One named in the removal notice, another not: the other is named.
  assert.deepEqual(texts([sent('A.jpg', [place], 'A.HEIC'), sent('B.jpg', [], 'B.HEIC')]), [
    'info: Removed location from A.HEIC and sent it as A.jpg before the upload.',
    'info: Sent B.HEIC as B.jpg before the upload.',
  ]);
  // Several: counted (a still GIF recompressed as PNG is renamed too).
  assert.deepEqual(texts([sent('A.jpg', [place], 'A.HEIC'), sent('B.png', [place], 'B.gif'), sent('C.png', [place])]), [
    'info: Removed hidden data from 3 photos before the upload.',
    'info: Sent 2 photos in other formats, under new names, before the upload.',
  ]);
  // A name without its date: the original's name never shown (the page could read it);
  // counted apart from conversions.
  assert.deepEqual(texts([undated('PXL_x7.jpg', [place], 'PXL_20240612_093512345.jpg')]), [
    'info: Removed location before the upload, and the date from its name: sent as PXL_x7.jpg.',
  ]);
  assert.deepEqual(texts([undated('PXL_x7.jpg', [], 'PXL_20240612_093512345.jpg')]), [
    'info: Took the date out of a file’s name before the upload: sent as PXL_x7.jpg.',
  ]);
  assert.deepEqual(texts([sent('A.jpg', [place], 'A.HEIC'), undated('PXL_x7.jpg', [place], 'PXL_20240612_093512345.jpg'), undated('PXL_y8.jpg', [], 'PXL_20240613_101112131.jpg')]), [
    'info: Removed hidden data from 2 photos before the upload.',
    'info: Sent 1 photo in another format, under a new name, before the upload.',
    'info: Sent 2 files under names without their dates, before the upload.',
  ]);
  // Held back: named as the settings let the page see it.
  const held: FileOutcome = { kind: 'blocked', original: file('PXL_20240612_093512345.jpg'), reason: 'It is damaged.', shown: 'PXL_….jpg' };
  assert.deepEqual(texts([held]), ['error: PXL_….jpg was held back: It is damaged.']);
  assert.equal(describe([held])[0].heldBackName, 'PXL_….jpg');
  // Not converted: said, with the reason, as an error.
  const kept: FileOutcome = { kind: 'cleaned', file: file('D.HEIC'), removed: [], notConverted: 'It is too large.' };
  assert.deepEqual(texts([kept]), ['error: D.HEIC was sent as HEIC, with its metadata removed, not as JPEG: It is too large.']);
});

test('the site named in the "send the original anyway?" dialog, from frames without a host of their own', () => {
  assert.equal(siteName({ host: 'a.example:8443', origin: 'https://a.example:8443' }), 'a.example:8443');
  // about:blank and srcdoc frames: no host (the dialog said "null"), the origin they run with.
  assert.equal(siteName({ host: '', origin: 'https://a.example' }), 'a.example');
  // An opaque origin (a sandboxed frame, a data: URL): no name, not the page around it,
  // which may not be the one whose scripts run there; the dialog says "this page".
  assert.equal(siteName({ host: '', origin: 'null' }), undefined);
  assert.equal(siteName({ host: '', origin: 'not a url' }), undefined);
});
