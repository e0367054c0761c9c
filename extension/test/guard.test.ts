// Unit tests of the upload guard's pure parts: which files it treats as images
// (by name, type, or the first bytes of a renamed photo), and folder walking bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasImageMagic, isImage } from '../src/content/guard/image-files';
import { walkEntries } from '../src/content/guard/folders';

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
  assert.equal(await isImage(new File([photo], 'holiday.dat', { type: 'application/octet-stream' })), true);
  assert.equal(await isImage(new File([photo], 'notes.txt', { type: 'text/plain' })), true);
  assert.equal(await isImage(new File(['hello'], 'notes.txt', { type: 'text/plain' })), false);
  assert.equal(await isImage(new File([], 'empty.jpg', { type: '' })), true, 'named as an image: the engine decides');
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

test('dropped folders: every file inside, in order; too many files or too deep is held back whole', async () => {
  const tree = () => [folder('trip', [file('a.jpg'), folder('day2', [file('b.jpg'), file('notes.txt')])]), file('c.png')];
  const walked = await walkEntries(tree(), { maxFiles: 10, maxDepth: 8 });
  assert.deepEqual(walked.files.map((f) => f.name), ['a.jpg', 'b.jpg', 'notes.txt', 'c.png']);
  assert.equal(walked.refused, undefined);
  const many = await walkEntries(tree(), { maxFiles: 3, maxDepth: 8 });
  assert.deepEqual(many.files, []);
  assert.match(many.refused ?? '', /more than 3 files/);
  const deep = await walkEntries(tree(), { maxFiles: 10, maxDepth: 1 });
  assert.match(deep.refused ?? '', /deeper than 1/);
});
