// The converter with the formats a browser may not show or a batch treats apart:
// HEIC and AVIF (decoded by the engine or the browser, judged against libheif),
// animations and videos, through the built extension in Chromium and Firefox.
// What comes out is judged on disk (Pillow, exiftool, the command line's output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { unzipSync } from 'fflate';
import { BROWSERS } from './browsers.mjs';
import { corpus, root, traceless } from './server.mjs';
import { until } from './page-checks.mjs';
import { decode, exif, frameHashes, heifPixels, leaks, ownFindings, sequenceLeaks } from './judge.mjs';
import { converterSuites, idle, image, rows, setControl } from './converter-kit.mjs';

const only = process.env.TRACELESS_BROWSERS?.split(',') ?? Object.keys(BROWSERS);

converterSuites('converter formats', only, (suite) => {
  const { name, converterWith, downloadEach } = suite;

  test('HEIC and AVIF: "metadata removed" cleans them losslessly; both convert to JPEG, upright and clean', async () => {
    const page = await converterWith([image('phone.heic'), image('photo.avif')]);
    const before = await rows(page);
    assert.match(before[0].reveals, /^Reveals: location/, 'what the iPhone photo reveals is listed');
    // Thumbnails: the browser draws the AVIF; the engine makes the HEIC's (no browser shows HEIC).
    const drawn = await until(page, () => {
      const boxes = [...document.querySelectorAll('.item canvas.thumb')].map((canvas) => {
        const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let [left, top, right, bottom] = [width, height, -1, -1];
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            if (data[(y * width + x) * 4 + 3] === 0) continue;
            [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x), Math.max(bottom, y)];
          }
        }
        return right < 0 ? null : { width: right - left + 1, height: bottom - top + 1 };
      });
      return boxes.length === 2 && boxes.every(Boolean) && boxes;
    }, undefined, 60000);
    // The iPhone photo shows as portrait (2566 × 3313 upright): 112 high, about 87 wide.
    assert.ok(drawn[0].height === 112 && Math.abs(drawn[0].width - 87) <= 2, `HEIC thumbnail ${JSON.stringify(drawn[0])}`);
    // The comparison's "before" of the selected HEIC: an engine-made copy, upright, full size.
    const original = await until(page, () => {
      const before = document.getElementById('before');
      return before.complete && before.naturalWidth > 0 && { width: before.naturalWidth, height: before.naturalHeight };
    }, undefined, 60000);
    assert.deepEqual(original, { width: 2566, height: 3313 }, 'the iPhone photo as shown');
    await setControl(page, 'format', 'clean');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const shown = await rows(page);
    assert.deepEqual(shown.map((r) => r.stage), ['done', 'done'], JSON.stringify(shown.map((r) => r.error)));
    const files = await downloadEach(page);
    assert.deepEqual(files.map((f) => basename(f)), ['IMG_5195.HEIC', 'dirty.avif']);
    for (const [i, file] of files.entries()) {
      assert.equal(statSync(file).size, shown[i].after, 'the saved file is the copy the page made');
      assert.deepEqual(leaks(file), [], `${file}: exiftool`);
      assert.deepEqual(ownFindings(file), [], `${file}: our own item walk`);
      assert.equal(heifPixels(file), heifPixels(image(['phone.heic', 'photo.avif'][i])), 'the same picture');
    }
    await setControl(page, 'format', 'jpeg');
    await setControl(page, 'max-width', 1000);
    await setControl(page, 'max-height', 1000);
    await page.click('#convert');
    await until(page, idle, undefined, 120000);
    const converted = await rows(page);
    assert.deepEqual(converted.map((r) => r.stage), ['done', 'done'], JSON.stringify(converted.map((r) => r.error)));
    const [jpeg, fromAvif] = await downloadEach(page);
    assert.equal(decode(fromAvif).format, 'JPEG');
    assert.deepEqual(leaks(fromAvif), [], 'the JPEG made from the AVIF carries no metadata');
    const pixels = decode(jpeg);
    assert.equal(pixels.format, 'JPEG');
    // The iPhone photo is 2566 × 3313 as shown (its grid turned by irot): upright, scaled.
    assert.ok(Math.abs(pixels.width - 775) <= 1 && pixels.height === 1000, `${pixels.width} × ${pixels.height}`);
    assert.deepEqual(leaks(jpeg), [], 'the JPEG carries no metadata');
    await setControl(page, 'max-width', 0);
    await setControl(page, 'max-height', 0);
  });

  test('a HEIC\'s thumbnail comes from the one the phone stored in it, without waiting for another photo\'s decode', async () => {
    const nokia = join(corpus, 'ianare-exif-samples/heic/mobile/HMD_Nokia_8.3_5G.heif'); // none stored: decoded (16 MP)
    const iphone = join(corpus, 'ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC'); // 240×320 stored
    const page = await converterWith([nokia, iphone]);
    const box = (index) => page.evaluate((i) => {
      const canvas = document.querySelectorAll('.item canvas.thumb')[i];
      if (canvas?.dataset.drawn !== '1') return null;
      const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let [left, top, right, bottom] = [width, height, -1, -1];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (data[(y * width + x) * 4 + 3] === 0) continue;
          [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x), Math.max(bottom, y)];
        }
      }
      return { width: right - left + 1, height: bottom - top + 1 };
    }, index);
    await until(page, () => document.querySelectorAll('.item canvas.thumb')[1]?.dataset.drawn === '1', undefined, 30000);
    // The Nokia photo, first in the list, is still being decoded (about a second and a half alone).
    assert.equal(await box(0), null, 'the iPhone photo\'s thumbnail did not wait for the Nokia photo\'s decode');
    assert.deepEqual(await box(1), { width: 84, height: 112 }, 'the iPhone photo upright (3024 × 4032)');
    await until(page, () => document.querySelectorAll('.item canvas.thumb')[0]?.dataset.drawn === '1', undefined, 60000);
    assert.deepEqual(await box(0), { width: 84, height: 112 }, 'the Nokia photo upright (3456 × 4608)');
  });

  test('HEICs cleared from the list before their thumbnails were made are not decoded for them', async () => {
    // Four 16 MP photos that store no thumbnail: each is decoded for one, 1.5 s or more.
    const dir = mkdtempSync(join(tmpdir(), 'traceless-cleared-'));
    const files = [1, 2, 3, 4].map((i) => {
      const path = join(dir, `nokia-${i}.heif`);
      copyFileSync(join(corpus, 'ianare-exif-samples/heic/mobile/HMD_Nokia_8.3_5G.heif'), path);
      return path;
    });
    const page = await converterWith([]);
    // Every engine request the page makes for a photo's thumbnail, counted as it is sent.
    await page.evaluate(() => {
      globalThis.photoDecodes = 0;
      const send = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (message, ...rest) {
        if (message?.op === 'listPicture' && message.decodePhoto) globalThis.photoDecodes++;
        return send.call(this, message, ...rest);
      };
    });
    await suite.browser.chooseFiles(page, '#file-input', files);
    await until(page, () => document.querySelectorAll('.item').length === 4);
    await page.evaluate(() => document.getElementById('clear').click());
    const atClear = await page.evaluate(() => globalThis.photoDecodes);
    await new Promise((r) => setTimeout(r, 8000));
    const after = await page.evaluate(() => globalThis.photoDecodes);
    assert.ok(atClear <= 1, `${atClear} decodes before the list was cleared`);
    assert.equal(after, atClear, 'decodes started for thumbnails of rows no longer there');
  });

  test('a HEIC alone to JPEG at its own size: two workers share its decode, then its encode from the pixels shown; the file is the command line\'s, give or take the split', async () => {
    const warnings = [];
    const page = await converterWith([image('phone.heic')], undefined, undefined, warnings);
    await until(page, () => document.getElementById('before').naturalWidth > 0, undefined, 60000);
    // A grid of tiles (core/tests/heif_bands.rs): each worker decoded half, or a warning says why not.
    assert.deepEqual(warnings, [], 'no worker fell back to doing it alone');
    await until(page, () => document.querySelector('canvas.thumb')?.dataset.drawn === '1', undefined, 30000);
    await setControl(page, 'max-width', 0);
    await setControl(page, 'max-height', 0);
    await setControl(page, 'target', 0);
    await setControl(page, 'quality', 80);
    await setControl(page, 'format', 'jpeg');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const [row] = await rows(page);
    assert.equal(row.stage, 'done', row.error);
    const [jpeg] = await downloadEach(page);
    const pixels = decode(jpeg);
    assert.deepEqual([pixels.format, pixels.width, pixels.height], ['JPEG', 2566, 3313], 'whole and upright');
    assert.deepEqual(leaks(jpeg), [], 'exiftool finds nothing of the photo');
    // Made by two workers: the shared scan script's first luma scan (coefficients 1-17, two bits
    // short) is in the file; one worker writes MozJPEG's (1-8).
    const firstLumaScan = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x11, 0x02]);
    assert.ok(readFileSync(jpeg).includes(firstLumaScan), 'the scans were shared');
    assert.deepEqual(warnings, [], 'no worker fell back to doing it alone');
    const out = mkdtempSync(join(tmpdir(), 'traceless-converter-heic-'));
    execFileSync(traceless(), ['convert', image('phone.heic'), '--to', 'jpeg', '--quality', '80', '-o', out], { stdio: 'ignore' });
    const cli = statSync(join(out, 'IMG_5195.jpg')).size;
    const ratio = statSync(jpeg).size / cli;
    assert.ok(ratio > 0.98 && ratio < 1.02, `${statSync(jpeg).size} bytes, the command line's ${cli}: the split costs under 2%`);
  });

  test('animations: "keep the format" makes animated WebPs with every frame; JPEG refuses them plainly', async () => {
    const sources = ['mat2/tests/data/dirty.gif', 'image-rs-image/tests/images/png/apng/ball.png'].map((f) => join(corpus, f));
    const page = await converterWith(sources);
    await setControl(page, 'format', 'jpeg');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const refused = await rows(page);
    assert.deepEqual(refused.map((r) => r.stage), ['failed', 'failed'], JSON.stringify(refused));
    for (const row of refused) assert.match(row.error, /animated \(\d+ frames\).*single picture.*WebP/, row.error);
    await setControl(page, 'format', 'keep');
    // Refused as JPEG, not as what is chosen now: the rows say ready, as the status line does,
    // with no word of the JPEG refusal, and the selected one's size is estimated.
    assert.deepEqual((await rows(page)).map((r) => [r.stage, r.error]), [['new', ''], ['new', '']]);
    assert.match(await page.evaluate(() => document.getElementById('overall-status').textContent), /2 images ready/);
    await until(page, () => /would be/.test(document.getElementById('estimate').textContent), undefined, 30000);
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const shown = await rows(page);
    assert.deepEqual(shown.map((r) => r.stage), ['done', 'done'], JSON.stringify(shown.map((r) => r.error)));
    const files = await downloadEach(page);
    assert.deepEqual(files.map((f) => basename(f)), ['dirty.webp', 'ball.webp']);
    for (const [i, file] of files.entries()) {
      assert.equal(statSync(file).size, shown[i].after, 'the saved file is the copy the page made');
      const seen = decode(file);
      assert.equal(seen.format, 'WEBP');
      assert.equal(seen.frames, [8, 20][i], `${file}: every frame`);
      assert.deepEqual(leaks(file), [], `${file}: exiftool`);
    }
  });

  test('AVIF: what the browser decodes converts to PNG within 35 dB of libheif (rotations, mirrors, crops, alpha, 4:2:2, a grid); what it refuses, rav1d in the AVIF module decodes as the command line does (45 dB)', async () => {
    // What the browser's AV1 decoder gives the engine, judged as the command line's decoder is
    // (core/tests/heif_decode.rs), as seen over grey (alpha passes through a canvas).
    const names = [
      'link-u-avif-sample-images/kimono.avif',
      'link-u-avif-sample-images/kimono.rotate90.avif',
      'link-u-avif-sample-images/kimono.mirror-horizontal.avif',
      'link-u-avif-sample-images/kimono.crop.avif',
      'link-u-avif-sample-images/kimono.mirror-vertical.rotate270.crop.avif',
      'link-u-avif-sample-images/fox.profile2.12bpc.yuv422.avif',
      'link-u-avif-sample-images/plum-blossom-large.profile0.8bpc.yuv420.alpha-full.avif',
      'av1-avif/testFiles/Microsoft/Ronda_rotate90.avif',
      'av1-avif/testFiles/Microsoft/Summer_in_Tomsk_720p_5x4_grid.avif',
    ];
    // Valid files these browsers cannot show at all (not in <img> either; measured 2026-12-02):
    // Chromium 156 refuses 12-bit AV1; Debian's Firefox ESR 153 refuses these link-u files and
    // the grid. rav1d decodes them exactly as the command line does (tests/wasm): nearest
    // chroma, as libheif, so closer to it than the browsers' bilinear chroma.
    const refused = {
      chromium: [5],
      firefox: [1, 2, 3, 4, 6, 8],
    }[name] ?? [];
    const files = names.map((n) => join(corpus, n));
    const page = await converterWith(files);
    // Every file has its thumbnail before converting: the browser draws what it decodes, the
    // engine (rav1d) the rest (after converting, a thumbnail could come from the copy).
    await until(page, (count) => {
      const thumbs = [...document.querySelectorAll('.item canvas.thumb')];
      return thumbs.length === count && thumbs.every((c) => c.dataset.drawn === '1');
    }, names.length, 90000);
    await setControl(page, 'format', 'png');
    await page.click('#convert');
    await until(page, idle, undefined, 180000);
    const shown = await rows(page);
    assert.deepEqual(shown.map((r) => r.stage), names.map(() => 'done'), JSON.stringify(shown.map((r) => r.error)));
    const outputs = await downloadEach(page);
    assert.equal(outputs.length, names.length);
    const scratch = mkdtempSync(join(tmpdir(), 'traceless-avif-'));
    for (const [i, output] of outputs.entries()) {
      const reference = join(scratch, `${i}.png`);
      execFileSync('heif-convert', [files[i], reference], { stdio: 'ignore' });
      const { sizes, psnr } = JSON.parse(execFileSync('/usr/bin/python3', [join(root, 'tests/tools/pixels.py'), '--psnr', output, reference], { encoding: 'utf8' }));
      assert.equal(sizes.length, 1, `${names[i]}: ${JSON.stringify(sizes)} (ours, libheif's)`);
      // Browsers upsample chroma bilinearly, libheif by repeating samples: 39-44 dB apart on
      // these photos. A crop or turn off by one pixel is about 31 dB (kimono.crop, measured).
      const floor = refused.includes(i) ? 45 : 35;
      assert.ok(psnr >= floor, `${names[i]}: ${psnr.toFixed(1)} dB against libheif (at least ${floor})`);
      console.log(`# ${name}: ${names[i]} ${psnr.toFixed(1)} dB against libheif${refused.includes(i) ? ' (rav1d)' : ''}`);
    }
    // The comparison's "before" of a file the browser refuses: an engine-made copy (the file
    // itself would show as broken), upright and cropped as its converted copy.
    const [first] = refused;
    await page.click(`.item:nth-child(${first + 1}) .name`);
    const sides = await until(page, () => {
      const [before, after] = ['before', 'after'].map((id) => document.getElementById(id));
      const ready = (img) => !img.hidden && img.complete && img.naturalWidth > 0;
      return ready(before) && ready(after) && [before, after].map((img) => [img.naturalWidth, img.naturalHeight]);
    }, undefined, 60000);
    assert.deepEqual(sides[0], sides[1], `${names[first]}: before and after the same size`);
    await setControl(page, 'format', 'clean');
  });

  test('an AVIF that gives its colours only as code points (Apple\'s, in Display P3) keeps them: its PNG carries a Display P3 profile, and converted to sRGB it has the command line\'s colours', async () => {
    const source = join(corpus, 'av1-avif/testFiles/Apple/multilayer_examples/animals_00_singlelayer.avif');
    const scratch = mkdtempSync(join(tmpdir(), 'traceless-p3-'));
    const cli = traceless();
    execFileSync(cli, ['convert', source, '--to', 'png', '-o', join(scratch, 'coded')], { stdio: 'ignore' });
    execFileSync(cli, ['convert', source, '--to', 'png', '--srgb', '-o', join(scratch, 'srgb')], { stdio: 'ignore' });
    const reference = (kind) => join(scratch, kind, 'animals_00_singlelayer.png');
    // Pillow reads the pixels as coded, whatever profile a PNG carries.
    const psnr = (a, b) => JSON.parse(execFileSync('/usr/bin/python3', [join(root, 'tests/tools/pixels.py'), '--psnr', a, b], { encoding: 'utf8' })).psnr;
    const convert = async () => {
      const page = await converterWith([source]);
      await setControl(page, 'format', 'png');
      await page.click('#convert');
      await until(page, idle, undefined, 60000);
      const shown = await rows(page);
      assert.equal(shown[0].stage, 'done', shown[0].error);
      const [file] = await downloadEach(page);
      await setControl(page, 'format', 'clean');
      return file;
    };
    // The setting's default: the colours kept as coded, described by a profile made from the code points.
    const kept = await convert();
    assert.match(exif(kept)['ICC_Profile:ProfileDescription'] ?? '', /^Display P3/, 'a Display P3 profile');
    assert.equal(exif(kept)['ICC-header:ProfileDateTime'], '0000:00:00 00:00:00', 'the made profile carries no date');
    const keptToCoded = psnr(kept, reference('coded'));
    // The browser's AV1 decoder against rav1d's: 41-45 dB on Apple's and Xiph's files (measured).
    assert.ok(keptToCoded >= 38, `the coded colours: ${keptToCoded.toFixed(1)} dB against the command line's`);
    await suite.browser.setSettings({ keepIcc: false });
    try {
      const converted = await convert();
      assert.equal(exif(converted)['ICC_Profile:ProfileDescription'], undefined, 'no profile: the pixels are sRGB');
      const toSrgb = psnr(converted, reference('srgb'));
      const toCoded = psnr(converted, reference('coded'));
      console.log(`# ${name}: converted to sRGB, ${toSrgb.toFixed(1)} dB against the command line's sRGB, ${toCoded.toFixed(1)} against the coded colours`);
      assert.ok(toSrgb >= 38, `sRGB: ${toSrgb.toFixed(1)} dB against the command line's`);
      // Display P3 read as sRGB is about 34 dB from it (measured): the conversion happened.
      assert.ok(toSrgb > toCoded + 3, `converted (${toSrgb.toFixed(1)} dB to sRGB, ${toCoded.toFixed(1)} to the coded colours)`);
    } finally {
      await suite.browser.setSettings(undefined);
    }
  });

  test('an animated AVIF: "metadata removed" gives the command line\'s cleaned copy (the video module reads it); JPEG is refused in words', async () => {
    const source = join(corpus, 'link-u-avif-sample-images/star-8bpc.avifs');
    const expected = mkdtempSync(join(tmpdir(), 'traceless-converter-sequence-'));
    execFileSync(traceless(), ['clean', source, '-o', expected], { stdio: 'ignore' });
    const page = await converterWith([source]);
    const [before] = await until(page, () => {
      const row = document.querySelector('.item .reveals');
      return row && row.textContent && [row.textContent];
    }, undefined, 30000);
    assert.match(before, /^Reveals: dates/, 'what the animated AVIF reveals is listed');
    await setControl(page, 'format', 'clean');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const [shown] = await rows(page);
    assert.equal(shown.stage, 'done', shown.error);
    const [file] = await downloadEach(page);
    // Its own name (Chromium's download gave it .avif, the extension of its type, image/avif).
    assert.match(basename(file), name === 'chromium' ? /^star-8bpc( \(\d+\))?\.avifs?$/ : /^star-8bpc( \(\d+\))?\.avifs$/);
    assert.ok(readFileSync(file).equals(readFileSync(join(expected, 'star-8bpc.avifs'))), `${file}: the command line's bytes`);
    assert.deepEqual(sequenceLeaks(file), [], `${file}: exiftool`);
    const frames = frameHashes(source);
    assert.ok(frames.length >= 5, `${frames.length} frames`);
    assert.deepEqual(frameHashes(file), frames, 'every frame as it was');
    await setControl(page, 'format', 'jpeg');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const [refused] = await rows(page);
    assert.equal(refused.stage, 'failed');
    assert.match(refused.error, /It is an animated AVIF \(an image sequence\), which Traceless cannot convert yet; removing its metadata works\./);
  });

  test('videos: "metadata removed" gives the command line\'s cleaned copy, alone and in the zip; re-encoding is refused plainly', async () => {
    const videos = join(root, 'target', 'test-videos');
    execFileSync('bash', [join(root, 'tests', 'videos', 'make.sh'), videos], { stdio: 'ignore' });
    const cli = traceless();
    const expected = mkdtempSync(join(tmpdir(), 'traceless-converter-video-'));
    // The GoPro clip under a name Chromium will not save (a colon) and another type's
    // extension: its copy is saved as "gopro 12_06.mp4".
    const renamedCopy = join(mkdtempSync(join(tmpdir(), 'traceless-video-name-')), 'gopro 12:06.jpg');
    copyFileSync(join(videos, 'timed_gpmd.mp4'), renamedCopy);
    const sources = [join(videos, 'h264_aac.mov'), renamedCopy];
    execFileSync(cli, ['clean', ...sources, '-o', expected], { stdio: 'ignore' });
    const page = await converterWith([...sources, image('photo.jpg')]);
    const before = await rows(page);
    assert.match(before[0].reveals, /^Reveals: location/, 'what the video reveals is listed');
    assert.match(before[1].reveals, /location/, 'the GoPro telemetry track');
    await setControl(page, 'format', 'clean');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const shown = await rows(page);
    assert.deepEqual(shown.map((r) => r.stage), ['done', 'done', 'done'], JSON.stringify(shown.map((r) => r.error)));
    const files = await downloadEach(page);
    // (The downloads folder is shared with earlier tests: a name may have gained " (2)".)
    assert.match(basename(files[0]), /^h264_aac( \(\d+\))?\.mov$/);
    assert.match(basename(files[1]), /^gopro 12_06( \(\d+\))?\.mp4$/);
    for (const [i, file] of files.slice(0, 2).entries()) {
      assert.ok(readFileSync(file).equals(readFileSync(join(expected, basename(sources[i])))), `${file}: the command line's bytes`);
      assert.equal(statSync(file).size, shown[i].after, 'the saved file is the copy the page made');
    }
    const since = Date.now();
    await page.click('#download-all');
    const [zipPath] = await suite.browser.downloadsSince(since, 1);
    const entries = unzipSync(readFileSync(zipPath));
    assert.deepEqual(Object.keys(entries), ['h264_aac.mov', 'gopro 12_06.mp4', 'DSCN0010.jpg']);
    assert.ok(Buffer.from(entries['h264_aac.mov']).equals(readFileSync(files[0])), 'the zip holds the same video');
    await setControl(page, 'format', 'webp');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const refused = await rows(page);
    assert.deepEqual(refused.map((r) => r.stage), ['failed', 'failed', 'done']);
    assert.match(refused[0].error, /does not re-encode them/);
  });
});
