// A display's colour profile, as a screenshot or a calibrated photo carries, through the
// image engine's module (the upload guard's and the menu's): written again without the
// display's make, model, serial and calibration, with every colour tag as it was, so the
// picture keeps its colours. exiftool judges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const engine = require(join(root, 'target/wasm/node/traceless_wasm.js'));
const corpus = process.env.TRACELESS_CORPUS ?? join(root, '..', 'shared', 'corpus');

// macOS's "Color LCD" profile (2009), which the corpus has in a scanned TIFF: Apple's
// make and model (mmod), the video card's curves (vcgt), the display's native colours
// (ndin) and its name in four languages.
const DISPLAY_TIFF = 'ianare-exif-samples/tiff/BSG1.tiff';
const DEVICE_TAGS = ['MakeAndModel', 'VideoCardGamma', 'NativeDisplayInfo'];
const COLOUR_TAGS = ['RedMatrixColumn', 'GreenMatrixColumn', 'BlueMatrixColumn', 'MediaWhitePoint', 'ChromaticAdaptation', 'RedTRC', 'GreenTRC', 'BlueTRC'];

const exiftool = (...args) => execFileSync('exiftool', args, { encoding: 'utf8' });

/** exiftool's reading of the file's profile: tag name to value (binary values by their bytes). */
function profileTags(path) {
  const out = JSON.parse(exiftool('-j', '-b', '-ICC_Profile:all', '-ICC-header:all', path))[0];
  delete out.SourceFile;
  return out;
}

test('a display profile keeps its colours and loses its display, in JPEG, PNG and WebP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'traceless-device-profile-'));
  try {
    const icc = join(dir, 'display.icc');
    writeFileSync(icc, execFileSync('exiftool', ['-b', '-ICC_Profile', join(corpus, DISPLAY_TIFF)]));
    const before = profileTags(icc);
    for (const tag of [...DEVICE_TAGS, ...COLOUR_TAGS]) assert.ok(before[tag], `the corpus profile has ${tag}`);
    assert.equal(before.ProfileDescription, 'Color LCD');
    const bases = {
      jpeg: 'ianare-exif-samples/jpg/gps/DSCN0010.jpg',
      png: 'image-rs-image/tests/images/png/16bpc/basn2c16.png',
      webp: 'libwebp-test-data/test.webp',
    };
    for (const [format, base] of Object.entries(bases)) {
      const input = join(dir, `in.${format}`);
      // Written in place: exiftool 12.57 refuses `-o` for WebP ("Can't write RIFF files").
      copyFileSync(join(corpus, base), input);
      exiftool('-q', '-overwrite_original', `-ICC_Profile<=${icc}`, input);
      assert.equal(profileTags(input).ProfileDescription, 'Color LCD', `${format}: the profile went in`);
      const { data, report } = engine.clean(new Uint8Array(readFileSync(input)));
      const output = join(dir, `out.${format}`);
      writeFileSync(output, data);
      const after = profileTags(output);
      for (const tag of COLOUR_TAGS) assert.deepEqual(after[tag], before[tag], `${format}: ${tag} as it was`);
      for (const tag of DEVICE_TAGS) assert.equal(after[tag], undefined, `${format}: ${tag} gone`);
      assert.equal(after.ProfileDescription, 'Display', format);
      assert.ok(!JSON.stringify(after).includes('LCD'), `${format}: no display's name left: ${JSON.stringify(after)}`);
      assert.ok(report.removed.some((f) => f.key === 'ICC mmod'), `${format}: the report names it`);
      // And the engine, reading its own output, finds no display in it.
      assert.ok(!engine.inspect(data).findings.some((f) => f.key.startsWith('ICC ') && f.key !== 'ICC profile'), format);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
