// The converter (toolbar popup and full page), through the built extension in
// Chromium and Firefox: batches through each format, estimates, cancelling, the
// ways files arrive, the page's layout and accessibility. Files go in through the
// page's own inputs, drop and paste; what comes out is judged on disk: Pillow
// decodes it, exiftool finds no metadata, and its size is the size the page showed.
// HEIC, AVIF, animations and videos: converter-formats.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { unzipSync } from 'fflate';
import { BROWSERS, launchFirefox } from './browsers.mjs';
import { corpus, root } from './server.mjs';
import { shot } from './shots.mjs';
import { accessibilityViolations, until } from './page-checks.mjs';
import { decode, exif, leaks } from './judge.mjs';
import { BATCH, BIG, converterSuites, formatBytes, idle, image, PILLOW, rows, setControl, setViewport, SOURCE_FORMAT } from './converter-kit.mjs';

const only = process.env.TRACELESS_BROWSERS?.split(',') ?? Object.keys(BROWSERS);

converterSuites('converter', only, (suite) => {
  const { name, web, converterWith, downloadEach } = suite;

  test('a batch through each output format: downloads decode, carry no metadata, and are the sizes shown; the zip holds the same files', async () => {
    const page = await converterWith(BATCH.map(image));
    const before = await rows(page);
    assert.match(before[0].reveals, /^Reveals: location, dates, camera model/, 'what the GPS photo reveals is listed');
    assert.match(before[1].reveals, /location/, 'the PNG with IPTC location');

    for (const format of ['clean', 'keep', 'jpeg', 'png', 'webp', 'avif']) {
      await setControl(page, 'format', format);
      const avifOptions = await page.evaluate(() => !document.getElementById('avif-options').hidden);
      assert.equal(avifOptions, format === 'avif', `${format}: the AVIF options show for AVIF only`);
      if (format === 'avif') {
        // The fast effort at 10 bits: the choice's AVIF options reach the engine.
        await setControl(page, 'avif-speed', 8);
        await page.click('#avif-ten-bit');
      }
      await page.click('#convert');
      await until(page, idle, undefined, 60000);
      const shown = await rows(page);
      assert.deepEqual(shown.map((r) => r.stage), BATCH.map(() => 'done'), `${format}: ${JSON.stringify(shown.map((r) => r.error))}`);
      const files = await downloadEach(page);
      assert.equal(files.length, BATCH.length);
      for (const [i, file] of files.entries()) {
        const source = BATCH[i];
        const expected = format === 'clean' ? SOURCE_FORMAT[source]
          : format === 'keep' ? (SOURCE_FORMAT[source] === 'gif' ? 'png' : SOURCE_FORMAT[source]) : format;
        const size = statSync(file).size;
        assert.equal(size, shown[i].after, `${format} ${source}: the saved file is the copy the page made`);
        assert.ok(shown[i].sizes.includes(`→ ${formatBytes(size)}`), `${format} ${source}: shown "${shown[i].sizes}", on disk ${size}`);
        const pixels = decode(file);
        assert.equal(pixels.format, PILLOW[expected], `${format} ${source} -> ${basename(file)}`);
        assert.deepEqual(leaks(file, { allowOrientation: format === 'clean' }), [], `${format} ${source} still carries metadata`);
        if (format === 'avif') assert.equal(exif(file)['QuickTime:ImagePixelDepth'], '10 10 10', `${source}: 10 bits a sample`);
        if (source === 'rotated.jpg') {
          // Cleaning keeps the orientation tag; every re-encode turns the pixels upright instead.
          const [w, h] = format === 'clean' ? [2048, 1536] : [1536, 2048];
          assert.deepEqual([pixels.width, pixels.height], [w, h], `${format}: orientation`);
        }
      }
      if (format === 'jpeg') {
        // The photo turned by EXIF is compared as it is shown, upright on both sides.
        await page.evaluate(() => document.querySelectorAll('.item .name')[4].click());
        const facts = await until(page, () => {
          const text = document.getElementById('compare-facts').textContent;
          return / · after: /.test(text) && text;
        });
        assert.match(facts, /^Before: 1536 × 2048, .* · after: 1536 × 2048, /);
      }
      if (format === 'webp') {
        const since = Date.now();
        await page.click('#download-all');
        const [zipPath] = await suite.browser.downloadsSince(since, 1);
        assert.match(basename(zipPath), /^traceless-images.*\.zip$/);
        const entries = unzipSync(readFileSync(zipPath));
        assert.deepEqual(Object.keys(entries), ['DSCN0010.webp', 'iptc.webp', 'GIF.webp', 'simple_xmp.webp', 'canon_hdr_YES.webp']);
        for (const [i, file] of files.entries()) {
          assert.deepEqual(Buffer.from(Object.values(entries)[i]), readFileSync(file), `zip entry ${i} is the downloaded file`);
        }
      }
    }
    const totals = await page.evaluate(() => document.getElementById('totals').textContent);
    assert.match(totals, /^5 images: .* → .* \(−\d+%\)$/);
  });

  test('per-file errors in plain words; the rest of the batch converts', async () => {
    // A WebM (no video Traceless cleans) and a 600 MB file past the images' limit: each
    // refused by its name, type or size, before it is read (a review found them read whole).
    const odd = mkdtempSync(join(tmpdir(), 'traceless-odd-'));
    writeFileSync(join(odd, 'recording.webm'), Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]));
    writeFileSync(join(odd, 'huge.jpg'), '');
    truncateSync(join(odd, 'huge.jpg'), 600 * 2 ** 20);
    const page = await converterWith([image('scan.tiff'), image('corrupt.jpg'), join(root, 'README.md'), join(odd, 'recording.webm'), join(odd, 'huge.jpg'), image('photo.jpg')]);
    await setControl(page, 'format', 'webp');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const shown = await rows(page);
    assert.deepEqual(shown.map((r) => r.stage), ['failed', 'failed', 'failed', 'failed', 'failed', 'done']);
    assert.match(shown[0].error, /cannot process this image\. This is a TIFF file\./);
    assert.match(shown[1].error, /^The image is damaged\. \(Details: .+\)$/);
    assert.match(shown[2].error, /^This is not an image Traceless can read/);
    assert.match(shown[3].error, /Traceless cleans MP4, MOV, M4V and 3GP videos/);
    assert.match(shown[4].error, /too large/);
    assert.match(await page.evaluate(() => document.getElementById('overall-status').textContent), /^1 converted, 5 failed\.$/);
    // Nothing left that could succeed: the button says so rather than retrying the same failures.
    assert.equal(await page.evaluate(() => document.getElementById('convert').disabled), true);
  });

  test('copies go out of date when the settings change after converting, as when the choice does; files that are not images are not counted as failed before Convert', async () => {
    const page = await converterWith([image('photo.jpg'), join(root, 'README.md')]);
    const status = () => page.evaluate(() => document.getElementById('overall-status').textContent);
    assert.equal(await status(), '1 image ready. Could not be read: 1.');
    await setControl(page, 'format', 'jpeg');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const state = () => page.evaluate(() => ({
      sizes: document.querySelector('.item .sizes').textContent,
      convert: !document.getElementById('convert').disabled,
      downloadAll: !document.getElementById('download-all').disabled,
      totals: document.getElementById('totals').textContent,
    }));
    const made = await state();
    assert.ok(!/other settings/.test(made.sizes) && !made.convert && made.downloadAll && made.totals, JSON.stringify(made));
    try {
      // "Convert to sRGB" chosen in the settings after the copy was made keeping the profile.
      await page.evaluate(() => chrome.storage.sync.set({ keepIcc: false }));
      await until(page, () => /made with other settings/.test(document.querySelector('.item .sizes').textContent));
      const old = await state();
      assert.ok(old.convert && !old.downloadAll && old.totals === '', `the copy is no longer current: ${JSON.stringify(old)}`);
      assert.equal(await status(), '1 image ready. Could not be read: 1.', 'counted against the settings now');
    } finally {
      // Back to the default, as the settings were.
      await page.evaluate(() => chrome.storage.sync.remove('keepIcc'));
    }
    await until(page, () => !/other settings/.test(document.querySelector('.item .sizes').textContent));
    assert.deepEqual(await state(), made, 'the setting back as it was: the copy is current again');
  });

  test('a Persian file name (its zero-width non-joiner refused by both browsers\' downloads) is saved, less that character', async () => {
    const named = join(mkdtempSync(join(tmpdir(), 'traceless-names-')), '\u0639\u06a9\u0633\u200c\u0647\u0627.jpg');
    copyFileSync(image('photo.jpg'), named);
    const page = await converterWith([named]);
    await setControl(page, 'format', 'clean');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const since = Date.now();
    // Clicked twice: saved once.
    await page.evaluate(() => {
      document.querySelector('.item .download').click();
      document.querySelector('.item .download').click();
    });
    const [file] = await suite.browser.downloadsSince(since, 1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await suite.browser.downloadsStarted(since), 1, 'one download for two clicks');
    assert.equal(basename(file), '\u0639\u06a9\u0633\u0647\u0627.jpg');
    assert.deepEqual(decode(file).hashes, decode(image('photo.jpg')).hashes);
    assert.equal((await rows(page))[0].error, '');
  });

  test('a transparent image made JPEG says its transparent areas became white; an opaque one says nothing of it', async () => {
    const page = await converterWith([join(corpus, 'image-rs-image/tests/images/png/transparency/tbbn3p08.png'), image('photo.jpg')]);
    await setControl(page, 'format', 'jpeg');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const [transparent, opaque] = await rows(page);
    assert.deepEqual([transparent.stage, opaque.stage], ['done', 'done']);
    assert.match(transparent.sizes, / · transparent areas made white$/);
    assert.doesNotMatch(opaque.sizes, /transparent/);
    // PNG keeps the transparency: nothing to say.
    await setControl(page, 'format', 'png');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    assert.doesNotMatch((await rows(page))[0].sizes, /transparent/);
  });

  test('the size estimate is the size the batch then makes, and the comparison shows before and after', async () => {
    const page = await converterWith([image('large.jpg')]);
    await setControl(page, 'format', 'jpeg');
    await setControl(page, 'quality', 37);
    await setControl(page, 'max-width', 300);
    const estimate = await until(page, () => {
      const text = document.getElementById('estimate').textContent;
      return / would be /.test(text) && text;
    });
    const after = await until(page, () => {
      const img = document.getElementById('after');
      return !img.hidden && img.complete && img.naturalWidth > 0 && [img.naturalWidth, img.naturalHeight];
    });
    assert.deepEqual(after, [300, 225], 'the preview is the resized copy');
    // Every stage the row passes through from here.
    await page.evaluate(() => {
      const row = document.querySelector('.item');
      window.stagesSeen = [row.dataset.stage];
      new MutationObserver(() => window.stagesSeen.push(row.dataset.stage)).observe(row, { attributeFilter: ['data-stage'] });
    });
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const [row] = await rows(page);
    assert.ok(estimate.includes(`would be ${formatBytes(row.after)}`), `estimate "${estimate}" vs made ${row.after}`);
    // A copy with fewer pixels says so in its row (an "At most … KB" may shrink it too).
    assert.match(row.sizes, / · resized to 300×225$/);
    // The estimate's copy is the image's copy: the batch does not make it again.
    const stagesSeen = await page.evaluate(() => window.stagesSeen);
    assert.ok(!stagesSeen.includes('working') && stagesSeen.at(-1) === 'done', stagesSeen.join());
    const facts = await page.evaluate(() => document.getElementById('compare-facts').textContent);
    assert.match(facts, /^Before: 640 × 480, .* · after: 300 × 225, /);
    // The slider moves the divide between the two.
    await setControl(page, 'compare-position', 20);
    assert.equal(await page.evaluate(() => document.getElementById('compare-view').style.getPropertyValue('--position')), '20%');

    // Typed sizes become whole pixels within the limits, and the form shows what is used.
    const typed = async (value) => {
      await setControl(page, 'max-width', value);
      return page.evaluate(() => document.getElementById('max-width').value);
    };
    assert.deepEqual([await typed('-100'), await typed('1.5'), await typed('99999')], ['', '2', '16384']);
    // "At most 12 KB": the engine finds the highest quality that fits.
    await setControl(page, 'max-width', 0);
    await setControl(page, 'quality', 90);
    await setControl(page, 'target', 12);
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const [fitted] = await rows(page);
    assert.ok(fitted.after > 0 && fitted.after <= 12 * 1024, `target 12 KB: made ${fitted.after} bytes`);
    await setControl(page, 'target', 0);
  });

  test('Convert while the estimate is being made: that copy goes on as the batch\'s, not made again', async () => {
    const page = await converterWith([BIG[3]]);
    // Counts the workers the page starts from here (the engine runs in workers; the
    // drivers' own worker events missed one started as another ended).
    await page.evaluate(() => {
      const Original = window.Worker;
      window.workersStarted = 0;
      window.Worker = class extends Original {
        constructor(...args) {
          super(...args);
          window.workersStarted++;
        }
      };
    });
    const workers = () => page.evaluate(() => window.workersStarted);
    await setControl(page, 'max-width', 0);
    await setControl(page, 'target', 0);
    await setControl(page, 'quality', 80);
    await setControl(page, 'format', 'png');
    // The estimate starts 300 ms after the choice; a 12 MP PNG takes seconds in wasm.
    await until(page, () => /^Estimating/.test(document.getElementById('estimate').textContent));
    // Past the estimate's 300 ms timer, so that a copy is being made (its worker may still be
    // starting, or reading the file: it is handed over all the same), well short of the PNG's encode.
    await new Promise((r) => setTimeout(r, 1500));
    const startedBefore = await workers();
    const estimating = await page.evaluate(() => document.getElementById('estimate').textContent);
    assert.match(estimating, /^Estimating/, 'the estimate is still being made when Convert is clicked');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const [row] = await rows(page);
    assert.equal(row.stage, 'done', row.error);
    const file = (await downloadEach(page))[0];
    assert.equal(statSync(file).size, row.after, 'the saved file is the copy the page made');
    const pixels = decode(file);
    assert.ok(pixels.width > 0 && pixels.height > 0, 'the copy decodes');
    assert.equal(await workers(), startedBefore, 'no engine worker started for the batch: the estimate\'s went on');
    // Another choice, clicked at once, makes its copy as before: in a worker of the batch's.
    await setControl(page, 'format', 'jpeg');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const [again] = await rows(page);
    assert.equal(again.stage, 'done', again.error);
    assert.notEqual(again.after, row.after, 'JPEG made another copy');
    // A 9 MP JPEG alone in the batch: its encode is shared with a helper worker.
    assert.equal(await workers(), startedBefore + 2, 'the batch started one worker for it, and one to help with its encode');
    const jpeg = (await downloadEach(page))[0];
    assert.equal(statSync(jpeg).size, again.after, 'the saved file is the copy the page made');
    const joined = decode(jpeg);
    assert.deepEqual([joined.width, joined.height], [4608, 1976], 'whole: both strips are in it');
    assert.deepEqual(leaks(jpeg), [], 'exiftool finds nothing of the photo');
  });

  test('cancel stops the batch at once; progress shows throughout; nothing finishes afterwards', async () => {
    const page = await converterWith([...BIG, ...BIG]);
    await setControl(page, 'format', 'webp');
    await setControl(page, 'max-width', 0);
    await page.click('#convert');
    const status = await until(page, () => document.querySelector('.item[data-stage=working]') && document.getElementById('overall-status').textContent);
    assert.match(status, /^Converting: \d of 8 done\.$/);
    assert.equal(await page.evaluate(() => document.getElementById('overall-progress').max), 8);
    await page.evaluate(() => document.getElementById('cancel').click());
    const stages = (await rows(page)).map((r) => r.stage);
    assert.ok(!stages.includes('working') && !stages.includes('waiting'), stages.join());
    assert.ok(stages.filter((s) => s === 'cancelled').length >= 6, stages.join());
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual((await rows(page)).map((r) => r.stage), stages, 'no work goes on after cancel');
    assert.match(await page.evaluate(() => document.getElementById('overall-status').textContent), /cancelled\.$/);
    assert.equal(await page.evaluate(() => document.getElementById('cancel').hidden), true);
    assert.equal(await page.evaluate(() => document.getElementById('convert').disabled), false, 'the batch can be started again');
  });

  test('the focus stays on something to do: Download all after a finished batch, the next row after a removal', async () => {
    // Focused and pressed in the page (a key sent to a tab that is not in front may go
    // nowhere in Firefox): what is checked is where the focus goes afterwards.
    const press = (selector) => page.evaluate((selector) => {
      const button = document.querySelector(selector);
      button.focus();
      button.click();
    }, selector);
    const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.className || document.activeElement?.tagName);
    const page = await converterWith([image('photo.jpg'), image('text.png')]);
    await until(page, () => !document.getElementById('convert').disabled);
    await press('#convert');
    await until(page, idle, undefined, 60000);
    assert.equal(await focused(), 'download-all');
    await press('.item:first-child button.remove');
    assert.equal(await page.evaluate(() => document.querySelectorAll('.item').length), 1);
    assert.equal(await focused(), 'remove secondary');
    await press('.item:first-child button.remove');
    assert.equal(await focused(), 'choose-files');
  });

  test('images dropped or pasted join the batch', async () => {
    const page = await converterWith([]);
    const bytes = readFileSync(image('photo.jpg')).toString('base64');
    await page.evaluate((bytes) => {
      const file = (name) => new File([Uint8Array.fromBase64(bytes)], name, { type: 'image/jpeg' });
      const drop = new DataTransfer();
      drop.items.add(file('dropped-1.jpg'));
      drop.items.add(file('dropped-2.jpg'));
      document.getElementById('drop').dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: drop }));
      const paste = new ClipboardEvent('paste', { bubbles: true, cancelable: true });
      const clipboard = new DataTransfer();
      clipboard.items.add(file('pasted.jpg'));
      Object.defineProperty(paste, 'clipboardData', { value: clipboard });
      document.dispatchEvent(paste);
    }, bytes);
    await until(page, () => document.querySelectorAll('.item').length === 3);
    assert.deepEqual((await rows(page)).map((r) => r.name).sort(), ['dropped-1.jpg', 'dropped-2.jpg', 'pasted.jpg']);
  });

  test('"Open in a tab" carries the popup\'s images to the full-page converter', async () => {
    // The 2.9 MB photo crosses in two slices (handoff.ts).
    const files = [image('photo.jpg'), image('text.png'), BIG[0]];
    const popup = await converterWith(files, 'popup.html');
    // Converted in the popup (WebP): the copies come along, not made again.
    await setControl(popup, 'format', 'webp');
    await popup.click('#convert');
    await until(popup, idle, undefined, 60000);
    const made = (await rows(popup)).map((r) => r.after);
    // Clicked twice, as an impatient person does: one hand-over, not two interleaved.
    await popup.evaluate(() => {
      document.getElementById('open-tab').click();
      document.getElementById('open-tab').click();
    });
    const page = await suite.browser.waitForExtensionPage('converter.html?from=popup&handoff');
    await until(page, () => document.querySelectorAll('.item').length === 3 && !/Reading/.test(document.body.innerText));
    const shown = await rows(page);
    assert.deepEqual(shown.map((r) => [r.name, r.reveals.startsWith('Reveals: location')]), [
      ['DSCN0010.jpg', true],
      ['iptc.png', true],
      ['42_IndexError.jpg', false],
    ], JSON.stringify(shown));
    assert.deepEqual(shown.map((r) => r.stage), ['done', 'done', 'done'], 'the popup\'s copies came along');
    assert.deepEqual(shown.map((r) => r.after), made, 'the very copies');
    assert.equal(await page.evaluate(() => document.getElementById('convert').disabled), true, 'nothing left to make');
    // Every byte came across: the lossless copies have the originals' very pixels.
    await setControl(page, 'format', 'clean');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    const saved = await downloadEach(page);
    assert.equal(saved.length, files.length, JSON.stringify(await rows(page)));
    for (const [i, file] of saved.entries()) assert.deepEqual(decode(file).hashes, decode(files[i]).hashes, basename(files[i]));
    await page.close();
  });

  test('originals a hand-over left behind (no tab took them) are deleted when the converter next opens; a fresh one is left for its tab', async () => {
    // As handoff.ts leaves them when the tab it opened never loads: when, a file and its bytes.
    const leave = (page, at) => page.evaluate((at) => new Promise((resolve, reject) => {
      const request = indexedDB.open('traceless-handoff', 3);
      request.onupgradeneeded = () => request.result.createObjectStore('files', { autoIncrement: true });
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const transaction = request.result.transaction('files', 'readwrite');
        transaction.objectStore('files').add({ kind: 'stamp', at });
        transaction.objectStore('files').add({ kind: 'file', name: 'left.jpg', type: 'image/jpeg', lastModified: 0, path: '' });
        transaction.objectStore('files').add({ kind: 'part', blob: new Blob([new Uint8Array([0xff, 0xd8, 0xff])]) });
        transaction.oncomplete = () => {
          request.result.close();
          resolve();
        };
      };
    }), at);
    const handOvers = (page) => page.evaluate(async () => (await indexedDB.databases()).filter((d) => d.name === 'traceless-handoff').length);
    const first = await converterWith([], 'popup.html');
    await leave(first, Date.now() - 5 * 60_000);
    await first.close();
    const again = await converterWith([], 'popup.html');
    await until(again, async () => !(await indexedDB.databases()).some((d) => d.name === 'traceless-handoff'), undefined, 10000);
    // One made a moment ago may be a tab's that is still loading: left alone.
    await leave(again, Date.now());
    await again.close();
    const third = await converterWith([], 'popup.html');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await handOvers(third), 1, 'a fresh hand-over stays');
    await third.evaluate(() => new Promise((resolve) => { indexedDB.deleteDatabase('traceless-handoff').onsuccess = resolve; }));
    await third.close();
  });

  if (name === 'firefox') {
    test('in the Firefox popup, Choose opens the full-page converter (a file dialog would close the popup)', async () => {
      const popup = await converterWith([], 'popup.html');
      await popup.evaluate(() => document.getElementById('choose-files').click());
      const page = await suite.browser.waitForExtensionPage('converter.html?from=popup');
      await until(page, () => document.getElementById('choose-files') !== null);
      assert.equal(await page.evaluate(() => location.search), '?from=popup', 'nothing to hand over');
      await page.close();
    });
  }

  if (name === 'chromium') {
    test('a hand-over from the popup that the tab cannot take is said on the page', async () => {
      // The browser's storage failing (IndexedDB's "UnknownError", as a full disk gives) is
      // stood in for before the page's scripts run: Playwright's init scripts reach extension pages.
      const page = await suite.browser.context.newPage();
      await page.addInitScript(() => {
        indexedDB.open = () => {
          throw new DOMException('The operation failed for reasons unrelated to the database itself.', 'UnknownError');
        };
      });
      await page.goto(`${suite.browser.extensionOrigin}/converter.html?from=popup&handoff`);
      const said = await until(page, () => {
        const text = document.getElementById('overall-status').textContent;
        return text.startsWith('The images could not be moved to a tab') && text;
      });
      assert.match(said, /unrelated to the database/);
      await page.close();
    });

    // Layout-shift entries are Chromium's (Layout Instability API).
    for (const path of ['converter.html', 'popup.html']) {
      test(`no layout jumps while a batch is added, converted and compared (${path})`, async () => {
        const page = await suite.browser.openExtensionPage(path);
        // Shown once the converter is wired up (its settings read): files chosen before would go nowhere.
        await until(page, () => document.documentElement.classList.contains('shown'));
        await page.evaluate(() => {
          window.shifts = [];
          new PerformanceObserver((list) => window.shifts.push(...list.getEntries().map((e) => ({ value: e.value, input: e.hadRecentInput, at: Math.round(e.startTime), what: e.sources.map((s) => s.node?.id || s.node?.className || s.node?.nodeName).join(",") }))))
            .observe({ type: 'layout-shift', buffered: true }); // buffered: shifts while the page loaded count too
        });
        await suite.browser.chooseFiles(page, '#file-input', [...BATCH.map(image), image('phone.heic')]);
        await until(page, (n) => document.querySelectorAll('.item').length === n && !/Reading/.test(document.body.innerText), BATCH.length + 1);
        // Six images: the popup suggests the full-page converter, the page does not.
        assert.equal(await page.evaluate(() => document.getElementById('tab-hint').hidden), path !== 'popup.html');
        await setControl(page, 'format', 'webp');
        await page.click('#convert');
        await until(page, idle, undefined, 60000);
        await page.evaluate(() => document.querySelectorAll('.item .name')[1].click());
        await new Promise((r) => setTimeout(r, 1500));
        const shifts = await page.evaluate(() => window.shifts);
        const cls = shifts.filter((s) => !s.input).reduce((sum, s) => sum + s.value, 0);
        // Core Web Vitals call under 0.1 "good"; the converter measured 0.004 (load included: its
        // layout is in the built HTML; Cancel swaps places with Convert; fixed-height lines).
        assert.ok(cls < 0.02, `cumulative layout shift ${cls.toFixed(3)}: ${JSON.stringify(shifts)}`);
      });
    }

    test('a chosen folder adds the images inside it, with their folders in the zip', async () => {
      const page = await converterWith([]);
      await page.setInputFiles('#folder-input', join(corpus, 'ianare-exif-samples/jpg/gps'));
      await until(page, () => document.querySelectorAll('.item').length > 0 && !/Reading/.test(document.body.innerText));
      const names = (await rows(page)).map((r) => r.name);
      assert.ok(names.length >= 5 && names.every((n) => /^gps\/.+\.jpg$/i.test(n)), names.join());
      await setControl(page, 'format', 'clean');
      await page.click('#convert');
      await until(page, idle, undefined, 60000);
      const since = Date.now();
      await page.click('#download-all');
      const [zipPath] = await suite.browser.downloadsSince(since, 1);
      assert.deepEqual(Object.keys(unzipSync(readFileSync(zipPath))), names);
    });
  }

  test('cancelling a new choice keeps the copies made before: they can still be saved, and count again when chosen again', async () => {
    // Four large photos: made as JPEG, then as AVIF (seconds each, two at a time), cancelled
    // while the first are being made: those not made as AVIF keep their JPEG.
    const page = await converterWith(BIG);
    await setControl(page, 'format', 'jpeg');
    await page.click('#convert');
    await until(page, idle, undefined, 60000);
    assert.deepEqual((await rows(page)).map((r) => r.stage), BIG.map(() => 'done'));
    await setControl(page, 'format', 'avif');
    await page.click('#convert');
    await until(page, () => [...document.querySelectorAll('.item')].some((li) => li.dataset.stage === 'working'));
    await page.click('#cancel');
    await until(page, idle);
    const after = await rows(page);
    // Each has a copy: the AVIF made before the cancel ("done"), or its JPEG ("cancelled").
    const earlier = after.filter((r) => /made with other settings/.test(r.sizes));
    assert.ok(earlier.length > 0, `the cancel came before every AVIF was made (the test can tell): ${JSON.stringify(after.map((r) => r.sizes))}`);
    assert.deepEqual(after.map((r) => r.stage), after.map((r) => (earlier.includes(r) ? 'cancelled' : 'done')));
    assert.ok(await page.evaluate(() => [...document.querySelectorAll('.item .download')].every((b) => !b.disabled)), 'each can be saved from its row');
    // The cancel is still said: in the rows whose AVIF was not made, and in the status line.
    const stageTexts = await page.evaluate(() => [...document.querySelectorAll('.item .stage')].map((s) => s.textContent));
    assert.deepEqual(stageTexts.filter((text, i) => /other settings/.test(after[i].sizes)), earlier.map(() => 'Cancelled'));
    assert.match(await page.evaluate(() => document.getElementById('overall-status').textContent), new RegExp(`${earlier.length} cancelled\\.$`));
    const files = await downloadEach(page);
    for (const [i, row] of after.entries()) {
      assert.equal(decode(files[i]).format, /other settings/.test(row.sizes) ? 'JPEG' : 'AVIF', row.name);
    }
    await setControl(page, 'format', 'jpeg');
    assert.equal(await page.evaluate(() => document.getElementById('download-all').disabled), false, 'chosen again, they are the batch\'s copies');
  });

  test('a dropped folder with an entry that cannot be read: the page names it, and adds the rest; later drops add to the note', async () => {
    // Running as root, nothing here is unreadable on disk (and Chromium's listing passes over
    // a dangling link): the browser's entry API is stood in for in the page, with a folder
    // holding a photo and an entry whose file() fails, as a broken link's or a locked file's does.
    const page = await converterWith([]);
    const photo = readFileSync(image(BATCH[0])).toString('base64');
    await page.evaluate((photo) => {
      const bytes = Uint8Array.from(atob(photo), (c) => c.charCodeAt(0));
      const file = (name) => ({ name, isFile: true, isDirectory: false, file: (ok) => ok(new File([bytes], name, { type: 'image/jpeg' })) });
      const broken = (name) => ({ name, isFile: true, isDirectory: false, file: (_, fail) => fail(new DOMException('A requested file or directory could not be found', 'NotFoundError')) });
      // A broken entry that is no image would not have been taken anyway: not named.
      const children = [file('a.jpg'), broken('gone.jpg'), broken('notes.txt')];
      const folder = { name: 'trip', isFile: false, isDirectory: true, createReader: () => { let given = false; return { readEntries: (ok) => { ok(given ? [] : children); given = true; } }; } };
      DataTransferItem.prototype.webkitGetAsEntry = () => folder;
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'trip', { type: '' }));
      document.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, photo);
    await until(page, () => document.querySelectorAll('.item').length > 0 && !document.getElementById('unread').hidden);
    assert.deepEqual((await rows(page)).map((r) => r.name), ['trip/a.jpg']);
    assert.equal(await page.evaluate(() => document.getElementById('unread').textContent), '1 item left out, as it could not be read: trip/gone.jpg.');

    // A second drop adds its own to the note (the first drop's name stays): six broken photos,
    // past the five named, and a folder whose listing fails after its first part, whose listed
    // photo is added.
    await page.evaluate((photo) => {
      const bytes = Uint8Array.from(atob(photo), (c) => c.charCodeAt(0));
      const file = (name) => ({ name, isFile: true, isDirectory: false, file: (ok) => ok(new File([bytes], name, { type: 'image/jpeg' })) });
      const broken = (name) => ({ name, isFile: true, isDirectory: false, file: (_, fail) => fail(new DOMException('A requested file or directory could not be found', 'NotFoundError')) });
      let calls = 0;
      const deep = { name: 'deep', isFile: false, isDirectory: true, createReader: () => ({ readEntries: (ok, fail) => (calls++ === 0 ? ok([file('c.jpg')]) : fail(new DOMException('The operation failed', 'NotReadableError'))) }) };
      const children = [deep, ...[1, 2, 3, 4, 5, 6].map((i) => broken(`b${i}.jpg`))];
      const folder = { name: 'more', isFile: false, isDirectory: true, createReader: () => { let given = false; return { readEntries: (ok) => { ok(given ? [] : children); given = true; } }; } };
      DataTransferItem.prototype.webkitGetAsEntry = () => folder;
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'more', { type: '' }));
      document.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, photo);
    await until(page, () => document.querySelectorAll('.item').length === 2);
    assert.deepEqual((await rows(page)).map((r) => r.name), ['trip/a.jpg', 'more/deep/c.jpg']);
    const both = '8 items left out, as they could not be read: trip/gone.jpg, the rest of more/deep/, more/b1.jpg, more/b2.jpg, more/b3.jpg and 3 more.';
    assert.equal(await page.evaluate(() => document.getElementById('unread').textContent), both);

    // A drop with nothing unreadable leaves the note as it was.
    await page.evaluate((photo) => {
      const bytes = Uint8Array.from(atob(photo), (c) => c.charCodeAt(0));
      DataTransferItem.prototype.webkitGetAsEntry = () => null;
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'loose.jpg', { type: 'image/jpeg' }));
      document.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, photo);
    await until(page, () => document.querySelectorAll('.item').length === 3);
    assert.equal(await page.evaluate(() => document.getElementById('unread').textContent), both);

    await page.click('#clear');
    assert.equal(await page.evaluate(() => document.getElementById('unread').hidden), true, 'cleared with the list');
  });

  test('screenshots: popup and full page, light and dark; axe-core finds no WCAG 2.1 AA violation in either', async () => {
    for (const scheme of ['light', 'dark']) {
      // Chromium emulates the scheme per page; Firefox needs a browser started in it.
      const own = name === 'firefox' && scheme === 'dark' ? await launchFirefox(web, { colourScheme: 'dark' }) : suite.browser;
      try {
        await takeScreenshots(own, scheme);
      } finally {
        if (own !== suite.browser) await own.close();
      }
    }
  });

  async function takeScreenshots(driver, scheme) {
    // Each step names itself in a failure: this test failed once in CI (stop 51, Firefox)
    // with only its name in the excerpt CI kept, and never here in 9 runs.
    const step = async (what, fn) => {
      try {
        return await fn();
      } catch (e) {
        e.message = `${scheme}, ${what}: ${e.message}`;
        throw e;
      }
    };
    const tabUrl = `${web.originA}/menu.html`;
    await step('opening a tab', () => driver.open(tabUrl));
    const files = ['photo.jpg', 'rotated.jpg', 'phone.heic'].map(image);
    const page = await step('opening the converter', () => converterWith(files, 'converter.html', driver));
    await driver.colourScheme(page, scheme);
    await setControl(page, 'format', 'webp');
    await setControl(page, 'quality', 80);
    await setControl(page, 'max-width', 0);
    await page.click('#convert');
    await step('converting', () => until(page, idle, undefined, 60000));
    await step('showing the comparison', () => until(page, () => document.getElementById('after').complete && document.getElementById('after').naturalWidth > 0));
    assert.equal(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches), scheme === 'dark');
    await step('the page\'s screenshot', () => page.screenshot({ path: shot(`converter-${name}-${scheme}`), fullPage: true }));
    assert.deepEqual(await accessibilityViolations(page), [], `converter page, ${scheme}`);
    await page.close();

    const tabId = await step('finding the tab', () => driver.tabIdOf(tabUrl));
    const popup = await step('opening the popup', () => converterWith(files, `popup.html?tab=${tabId}`, driver));
    await driver.colourScheme(popup, scheme);
    await setViewport(popup, 440, 600);
    await popup.click('#convert');
    await step('converting in the popup', () => until(popup, idle, undefined, 60000));
    await step('the popup\'s site status', () => until(popup, () => document.getElementById('site-status').textContent.startsWith('Here,')));
    await step('the popup\'s screenshot', () => popup.screenshot({ path: shot(`popup-${name}-${scheme}`), clip: { x: 0, y: 0, width: 440, height: 600 } }));
    await popup.evaluate(() => document.getElementById('choices').setAttribute('open', ''));
    assert.deepEqual(await accessibilityViolations(popup), [], `popup, ${scheme}`);
    await popup.close();
  }
});
