// The image context menu, through the built extension, in Chromium and Firefox.
// Each saved file is judged on disk: exiftool finds no metadata, Pillow decodes it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BROWSERS } from './browsers.mjs';
import { corpus, IMAGES, root, TestWeb } from './server.mjs';
import { shot } from './shots.mjs';
import { decode, exif, heifPixels, leaks, newestFile, ownFindings } from './judge.mjs';

const only = process.env.TRACELESS_BROWSERS?.split(',') ?? Object.keys(BROWSERS);

for (const name of only) {
  describe(`context menu in ${name}`, { concurrency: false }, () => {
    const web = new TestWeb();
    let browser;
    let menuPage;
    let menuUrl;

    before(async () => {
      await web.start();
      browser = await BROWSERS[name](web);
      menuUrl = `${web.originA}/menu.html`;
      menuPage = await browser.open(menuUrl);
      // data: and blob: images are set by the page's script.
      await menuPage.waitForFunction(() => document.getElementById('data').complete && document.getElementById('blob').src.startsWith('blob:') && document.getElementById('blob-revoked').dataset.revoked === '1');
    });

    after(async () => {
      await browser?.close();
      await web.stop();
    });

    /** Clicks menu item `item` on the image with element id `id` and returns the outcome. */
    async function click(item, id, { frameId = 0, page = menuPage, url = menuUrl, frameUrl } = {}) {
      const srcUrl = await page.evaluate((id) => {
        const img = document.getElementById(id);
        img.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, composed: true, cancelable: true }));
        return img.currentSrc || img.src;
      }, id);
      const info = { menuItemId: `traceless:${item}`, srcUrl, pageUrl: url, editable: false };
      // null: no frame id (the frame's content script is asked by broadcast).
      if (frameId !== null) info.frameId = frameId;
      if (frameUrl !== undefined) info.frameUrl = frameUrl;
      return browser.menuClick(info, url);
    }

    /** Adds an image to the menu page, loaded, for one test (which removes it). */
    async function addImage(id, src) {
      await menuPage.evaluate(({ id, src }) => new Promise((resolve, reject) => {
        const img = Object.assign(document.createElement('img'), { id, width: 80, alt: id });
        img.onload = resolve;
        img.onerror = reject;
        img.src = src;
        document.body.append(img);
      }), { id, src });
    }

    async function saved(outcome, expectedName) {
      assert.equal(outcome.ok, true, outcome.message);
      assert.equal(outcome.saved.filename, expectedName);
      // The browser may add " (1)" or "(1)" to a name already taken in the folder.
      const file = await browser.downloadedFile(outcome.saved.downloadId);
      assert.equal(dirname(file), browser.downloads);
      assert.equal(statSync(file).size, outcome.saved.bytesOut, 'the saved file is what the engine produced');
      return file;
    }

    function assertClean(file, options) {
      assert.deepEqual(leaks(file, options), [], `${file} still carries metadata`);
    }

    test('"Remove metadata and save" keeps the pixels and removes everything else', async () => {
      const file = await saved(await click('clean', 'plain'), 'photo-clean.jpg');
      assertClean(file);
      const original = join(corpus, IMAGES['photo.jpg']);
      assert.ok(leaks(original).length > 10, 'the original carries metadata (the test can fail)');
      assert.deepEqual(decode(file).hashes, decode(original).hashes, 'pixels unchanged');
    });

    test('a job that takes a while says so after a second, and its outcome replaces that notice', async () => {
      // The server holds the image back 3 s (?delay=): the job lasts that long on any machine.
      await addImage('slow', '/img/photo.jpg?delay=3000');
      // Its name is taken already: the browser writes it under another, which the notice says.
      await saved(await click('clean', 'plain'), 'photo-clean.jpg');
      try {
        const working = /^Traceless: Removing metadata from photo… \d+ sec$/;
        const job = click('clean', 'slow');
        let seen;
        for (const end = Date.now() + 3000; !seen && Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
          seen = (await browser.noticeTexts(menuPage)).find((text) => working.test(text));
        }
        assert.ok(seen, 'a working notice while the image is fetched');
        await menuPage.screenshot({ path: shot(`menu-working-${name}`) });
        const outcome = await job;
        await saved(outcome, 'photo-clean.jpg');
        const after = await browser.noticeTexts(menuPage);
        // The name the file was written under: a photo-clean.jpg was saved before it.
        const written = basename(await browser.downloadedFile(outcome.saved.downloadId));
        assert.notEqual(written, 'photo-clean.jpg', 'the browser made the name unique (the test can tell)');
        assert.ok(after.some((text) => text.startsWith(`Traceless: Saved ${written}.`)), `${written}: ${JSON.stringify(after)}`);
        assert.ok(!after.some((text) => text.includes('…')), `the working notice is gone: ${JSON.stringify(after)}`);
      } finally {
        await menuPage.evaluate(() => document.getElementById('slow').remove());
      }
    });

    test('notices are for the page clicked in: once its tab shows another site, the outcome goes to the toolbar', async () => {
      const url = `${menuUrl}?leaving`;
      const page = await browser.open(url);
      try {
        // Held back 3 s by the server: the tab moves on meanwhile, before even the working notice.
        const srcUrl = `${web.originA}/img/photo.jpg?delay=3000`;
        const job = browser.menuClick({ menuItemId: 'traceless:clean', srcUrl, pageUrl: url, frameId: 0, editable: false }, url);
        await new Promise((r) => setTimeout(r, 300));
        await page.goto(`${web.originB}/frame.html`);
        const outcome = await job;
        assert.equal(outcome.ok, true, outcome.message);
        assert.deepEqual(await browser.noticeTexts(page), [], 'the other site\'s page shows nothing');
        assert.equal(await browser.badgeText(page.url()), '✓');
      } finally {
        await page.close();
      }
    });

    test('the engine\'s work leaves the background free: a 12 MP photo being saved as AVIF says so meanwhile', async () => {
      // Seconds of conversion. Where the engine ran on the background's own thread (Firefox's
      // event page until session 31), no notice could be sent until it was done.
      await addImage('phone', '/img/phone.jpg');
      try {
        const working = /^Traceless: Converting phone to AVIF… \d+ sec$/;
        let done = false;
        const job = click('save-as:avif', 'phone').finally(() => (done = true));
        let seen;
        while (!seen && !done) {
          seen = (await browser.noticeTexts(menuPage)).find((text) => working.test(text));
          await new Promise((r) => setTimeout(r, 100));
        }
        const outcome = await job;
        assert.ok(seen, 'a working notice while the photo was converted');
        const file = await saved(outcome, 'phone-clean.avif');
        assertClean(file);
      } finally {
        await menuPage.evaluate(() => document.getElementById('phone').remove());
      }
    });

    test('a data: image too long for the browser to name (over 2 MB) is read from the page and cleaned', async () => {
      // Chromium sends no srcUrl for an address over its 2 MB limit for URLs (its source:
      // url::kMaxURLChars; a native menu cannot be clicked headless): the click data is made
      // that way here, in both browsers, and the page's content script names the image.
      const photo = readFileSync(join(corpus, IMAGES['phone.jpg']));
      const dataUrl = `data:image/jpeg;base64,${photo.toString('base64')}`;
      assert.ok(dataUrl.length > 2 * 1024 * 1024, 'the address is over the limit');
      await addImage('huge-data', dataUrl);
      try {
        await menuPage.evaluate(() => document.getElementById('huge-data').dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, composed: true, cancelable: true })));
        const outcome = await browser.menuClick({ menuItemId: 'traceless:clean', mediaType: 'image', pageUrl: menuUrl, frameId: 0, editable: false }, menuUrl);
        const file = await saved(outcome, 'image-clean.jpg');
        assertClean(file);
        assert.ok(leaks(join(corpus, IMAGES['phone.jpg'])).length > 5, 'the original carries metadata (the test can fail)');
        assert.deepEqual(decode(file).hashes, decode(join(corpus, IMAGES['phone.jpg'])).hashes, 'pixels unchanged');
      } finally {
        await menuPage.evaluate(() => document.getElementById('huge-data').remove());
      }
    });

    test('with no address from the browser, only a data: image is taken: the page cannot name another to fetch', async () => {
      // The element right-clicked last is the page's to change (here: an http image).
      await menuPage.evaluate(() => document.getElementById('plain').dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, composed: true, cancelable: true })));
      const since = Date.now();
      const outcome = await browser.menuClick({ menuItemId: 'traceless:clean', mediaType: 'image', pageUrl: menuUrl, frameId: 0, editable: false }, menuUrl);
      assert.equal(outcome.ok, false);
      assert.match(outcome.message, /^The browser did not say which image this is/);
      assert.deepEqual(web.requests.filter((r) => r.at >= since && r.url.includes('/img/photo.jpg')).map((r) => r.url), [], 'nothing fetched');
    });

    test('a cross-origin image is fetched and cleaned', async () => {
      const file = await saved(await click('clean', 'cross'), 'photo-clean.jpg');
      assertClean(file);
    });

    test('a rotated photo keeps its orientation tag when cleaned', async () => {
      const file = await saved(await click('clean', 'rotated'), 'rotated-clean.jpg');
      assertClean(file);
      assert.equal(exif(file)['IFD0:Orientation'], 'Rotate 90 CW');
    });

    for (const [preset, maxSide] of [['high', 0], ['balanced', 2560], ['small', 1280]]) {
      test(`"Compress and save" / ${preset} writes a smaller JPEG without any EXIF`, async () => {
        const outcome = await click(`compress:${preset}`, 'rotated');
        const file = await saved(outcome, 'rotated-compressed.jpg');
        assertClean(file, { allowOrientation: false });
        const image = decode(file);
        assert.equal(image.format, 'JPEG');
        // The original is 3072 wide and landscape-stored with orientation 6: the output is upright.
        assert.ok(image.height > image.width, `upright: ${image.width}x${image.height}`);
        if (maxSide) assert.ok(Math.max(image.width, image.height) <= maxSide);
        assert.ok(outcome.saved.bytesOut < outcome.saved.bytesIn, 'smaller than the original');
      });
    }

    test('"Compress and save" never makes a larger file: one compressed harder already is saved losslessly cleaned', async () => {
      const outcome = await click('compress:high', 'hard');
      const file = await saved(outcome, 'hard-clean.jpg');
      assertClean(file);
      assert.match(outcome.saved.summary, /^Compressing would not have made it smaller/);
      assert.ok(outcome.saved.bytesOut < outcome.saved.bytesIn, `${outcome.saved.bytesOut} < ${outcome.saved.bytesIn}`);
      assert.deepEqual(decode(file).hashes, decode(join(corpus, IMAGES['hard.jpg'])).hashes, 'the very pixels');
    });

    for (const [format, id, expected, decoded] of [
      ['jpeg', 'png', 'text-clean.jpg', 'JPEG'],
      ['png', 'webp', 'xmp-clean.png', 'PNG'],
      ['webp', 'gif', 'comment-clean.webp', 'WEBP'],
      // AVIF output comes from its own module (libaom), loaded for this item only.
      ['avif', 'plain', 'photo-clean.avif', 'AVIF'],
    ]) {
      test(`"Save as ${format.toUpperCase()}" converts and cleans`, async () => {
        const outcome = await click(`save-as:${format}`, id);
        const file = await saved(outcome, expected);
        assertClean(file, { allowOrientation: false });
        assert.equal(decode(file).format, decoded);
        assert.doesNotMatch(outcome.saved.summary, /transparen/, 'an opaque image has nothing made white');
      });
    }

    test('"Save as JPEG" of a transparent image says its transparent areas were made white', async () => {
      const outcome = await click('save-as:jpeg', 'transparent');
      const file = await saved(outcome, 'transparent-clean.jpg');
      assert.equal(decode(file).format, 'JPEG');
      assert.match(outcome.saved.summary, /JPEG has no transparency: the transparent areas were made white/);
    });

    test('srcset: the largest candidate is saved', async () => {
      await saved(await click('clean', 'srcset'), 'large-clean.jpg');
    });

    test('srcset: a larger candidate on another site is not fetched (a page could name any URL)', async () => {
      await saved(await click('clean', 'srcset-foreign'), 'small-clean.jpg');
    });

    test('srcset: a larger candidate that answers with a page (200) gives way to the image shown', async () => {
      await saved(await click('clean', 'srcset-soft404'), 'small-clean.jpg');
      assert.ok(web.requests.some((r) => r.url.endsWith('/soft-404/large.jpg')), 'the candidate was tried');
    });

    test('<picture>: the largest readable source for the current conditions is saved', async () => {
      const file = await saved(await click('clean', 'picture-img'), 'p-large-clean.webp');
      assertClean(file);
    });

    test('<picture> with an AVIF source: the AVIF the page shows is saved, not the fallback beside it', async () => {
      const file = await saved(await click('clean', 'picture-avif-img'), 'photo-clean.avif');
      assertClean(file);
    });

    test('a blob: image whose URL the page revoked once loaded is saved as the picture shown', async () => {
      const outcome = await click('clean', 'blob-revoked');
      const file = await saved(outcome, 'image-clean.png');
      assertClean(file);
      assert.match(outcome.saved.summary, /The page had released the file/);
      const [shown, original] = [decode(file), decode(join(corpus, IMAGES['photo.jpg']))];
      assert.deepEqual([shown.format, shown.width, shown.height], ['PNG', original.width, original.height]);
    });

    test('"Show what this image reveals" on a blob: image the page revoked says the file is gone, not that it carried nothing', async () => {
      assert.equal((await click('reveal', 'blob-revoked')).ok, true);
      const report = await browser.waitForExtensionPage('report.html#stored=');
      let summary;
      try {
        await report.waitForSelector('#report:not([hidden])');
        summary = await report.evaluate(() => document.getElementById('summary').textContent);
      } finally {
        // Closed: a later test waits for the first report page open.
        await report.close();
      }
      assert.match(summary, /^The page had released the file: this is the picture it shows, drawn again\./);
    });

    test('data: and blob: images are saved under a neutral name', async () => {
      const dataFile = await saved(await click('clean', 'data'), 'image-clean.jpg');
      assertClean(dataFile);
      const blobFile = await saved(await click('clean', 'blob'), 'image-clean.jpg');
      assertClean(blobFile);
    });

    test('an image inside a cross-origin iframe: saved, and told on the toolbar, not in the other site\'s page', async () => {
      const frame = menuPage.frames().find((f) => f.url().endsWith('/frame.html'));
      assert.ok(frame, 'the iframe loaded');
      assert.notEqual(new URL(frame.url()).origin, new URL(menuUrl).origin, 'another origin (the test can fail)');
      const file = await saved(
        await click('clean', 'framed', { frameId: null, page: frame, frameUrl: frame.url() }),
        'framed-clean.jpg',
      );
      assertClean(file);
      assert.equal(await browser.badgeText(menuUrl), '✓');
      const notices = await browser.noticeTexts(menuPage);
      assert.ok(!notices.some((text) => text.includes('framed')), `no notice names the frame's image: ${JSON.stringify(notices)}`);
      // Once the badge counts the photos the upload guard cleaned in the tab, an outcome leaves
      // the count as it is (it read "✓" back as nothing and counted from 0 again).
      await menuPage.evaluate(() => document.body.append(Object.assign(document.createElement('input'), { type: 'file', id: 'pick', multiple: true })));
      await browser.chooseFiles(menuPage, '#pick', [join(corpus, IMAGES['photo.jpg']), join(corpus, IMAGES['small.jpg'])]);
      let count = '';
      for (let i = 0; i < 100 && count !== '2'; i++, await new Promise((r) => setTimeout(r, 50))) count = await browser.badgeText(menuUrl);
      assert.equal(count, '2', 'the guard counted the photos chosen');
      await saved(await click('clean', 'framed', { frameId: null, page: frame, frameUrl: frame.url() }), 'framed-clean.jpg');
      assert.equal(await browser.badgeText(menuUrl), '2', 'the count stays');
      await browser.chooseFiles(menuPage, '#pick', [join(corpus, IMAGES['photo.jpg'])]);
      for (let i = 0; i < 100 && count !== '3'; i++, await new Promise((r) => setTimeout(r, 50))) count = await browser.badgeText(menuUrl);
      assert.equal(count, '3', 'and goes on from where it was');
      await menuPage.evaluate(() => document.getElementById('pick').remove());
    });

    test('an AVIF image is cleaned and saved as AVIF, the picture unchanged', async () => {
      const original = join(corpus, IMAGES['photo.avif']);
      assert.ok(leaks(original).length > 3, 'the original carries metadata (the test can fail)');
      const file = await saved(await click('clean', 'avif'), 'photo-clean.avif');
      assertClean(file);
      assert.deepEqual(ownFindings(file), [], 'our own item walk finds nothing either');
      assert.equal(heifPixels(file), heifPixels(original), 'libheif decodes the same picture');
    });

    test('"Compress and save" on a HEIC (which browsers cannot show) makes an upright JPEG with no metadata', async () => {
      const file = await saved(await click('compress:balanced', 'heic'), 'phone-compressed.jpg');
      assertClean(file);
      const pixels = decode(file);
      assert.equal(pixels.format, 'JPEG');
      assert.ok(pixels.height > pixels.width, `upright (the grid is turned by irot): ${pixels.width} × ${pixels.height}`);
    });

    test('"Compress and save" on an AVIF: decoded by the browser, a clean JPEG', async () => {
      const file = await saved(await click('compress:balanced', 'avif'), 'photo-compressed.jpg');
      assertClean(file);
      assert.equal(decode(file).format, 'JPEG');
    });

    test('an animated GIF: "Save as WebP" and "Compress and save" keep every frame; "Save as JPEG" says why it cannot', async () => {
      // This small GIF is larger as WebP (1.4 KB against 1.1 KB): "Compress" saves it cleaned, still a GIF.
      for (const [item, expected, format] of [['save-as:webp', 'anim-clean.webp', 'WEBP'], ['compress:balanced', 'anim-clean.gif', 'GIF']]) {
        const outcome = await click(item, 'anim');
        const file = await saved(outcome, expected);
        assertClean(file);
        const seen = decode(file);
        assert.deepEqual([seen.format, seen.frames], [format, 8], `${item}: every frame`);
        if (format === 'GIF') assert.match(outcome.saved.summary, /^Compressing would not have made it smaller/);
      }
      const refused = await click('save-as:jpeg', 'anim');
      assert.equal(refused.ok, false);
      assert.match(refused.message, /animated.*single picture.*WebP/);
    });

    test('failures are told in plain words and nothing is saved', async () => {
      const corrupt = await click('compress:balanced', 'corrupt');
      assert.equal(corrupt.ok, false);
      assert.match(corrupt.message, /damaged|cannot/i);
      const notices = await menuPage.evaluate(() => document.querySelectorAll('traceless-notice').length);
      assert.ok(notices >= 1, 'the page shows the notice');
    });

    // Chromium only: Firefox saves into the system's Downloads folder instead of failing.
    test('a copy the browser could not write is not called saved', { skip: name === 'firefox' && 'Firefox falls back to ~/Downloads' }, async () => {
      // The downloads folder made a file: the browser cannot write into it (root ignores permissions).
      const away = `${browser.downloads}.away`;
      renameSync(browser.downloads, away);
      writeFileSync(browser.downloads, '');
      let outcome;
      try {
        outcome = await click('clean', 'plain');
      } finally {
        rmSync(browser.downloads);
        renameSync(away, browser.downloads);
      }
      assert.equal(outcome.ok, false, 'not reported as saved');
      assert.match(outcome.message, /^The browser stopped the download \([A-Z_]+\)\. Nothing was saved\.$/);
    });

    test('an image that never ends (and declares no length) is refused at 256 MB, not read on', async () => {
      const info = { menuItemId: 'traceless:clean', srcUrl: `${web.originA}/endless.jpg`, pageUrl: menuUrl, editable: false, frameId: 0 };
      const outcome = await browser.menuClick(info, menuUrl);
      assert.equal(outcome.ok, false);
      assert.match(outcome.message, /^The image is too large to process \(over 256 MB\)\. Nothing was saved\.$/);
    });

    test('a file: image named by a web page is not read (the page would learn whether the file exists)', async () => {
      const srcUrl = `file://${join(corpus, IMAGES['photo.jpg'])}`;
      const info = { menuItemId: 'traceless:clean', srcUrl, pageUrl: menuUrl, editable: false, frameId: 0 };
      const outcome = await browser.menuClick(info, menuUrl);
      assert.equal(outcome.ok, false);
      assert.match(outcome.message, /^Traceless cannot read images from this kind of address\./);
      // Nor through a larger candidate: a data: one, which fails, then the image "shown".
      await menuPage.evaluate((src) => {
        const img = Object.assign(document.createElement('img'), { id: 'file-srcset', width: 80, src, srcset: 'data:,x 9x' });
        document.body.append(img);
        img.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, composed: true, cancelable: true }));
      }, srcUrl);
      try {
        // As the browser names it when it shows the file: the image's own address.
        const viaCandidate = await browser.menuClick(info, menuUrl);
        assert.equal(viaCandidate.ok, false);
        assert.match(viaCandidate.message, /^Traceless cannot read images from this kind of address\./);
      } finally {
        await menuPage.evaluate(() => document.getElementById('file-srcset').remove());
      }
    });

    test('a blob: image the page made larger than 256 MB is refused, not read', async () => {
      await menuPage.evaluate(() => {
        const img = document.createElement('img');
        img.id = 'blob-huge';
        img.width = 80;
        // A JPEG's first bytes, then zeros: the browser shows nothing, the menu is still offered.
        const huge = new Blob([new Uint8Array([0xff, 0xd8, 0xff]), new Uint8Array(257 * 1024 * 1024)], { type: 'image/jpeg' });
        img.src = URL.createObjectURL(huge);
        document.body.append(img);
      });
      try {
        const outcome = await click('clean', 'blob-huge');
        assert.equal(outcome.ok, false);
        assert.match(outcome.message, /^The image is too large to process \(over 256 MB\)\. Nothing was saved\.$/);
      } finally {
        await menuPage.evaluate(() => {
          const img = document.getElementById('blob-huge');
          URL.revokeObjectURL(img.src);
          img.remove();
        });
      }
    });

    test('a page with a strict CSP', async () => {
      const url = `${web.originA}/strict.html`;
      const page = await browser.open(url);
      const file = await saved(await click('clean', 'plain', { page, url }), 'photo-clean.jpg');
      assertClean(file);
    });

    test('"Show what this image reveals" explains the photo and saves a cleaned copy', async () => {
      assert.equal((await click('reveal', 'plain')).ok, true);
      const report = await browser.waitForExtensionPage('report.html');
      // The page's address goes into the history (synced, where the user syncs it): it names
      // the image by a random id, never by its address (a data: image's metadata, a signed link).
      await report.waitForSelector('#report:not([hidden])');
      assert.match(await report.evaluate(() => location.href), /\/report\.html#stored=[0-9a-z]{10}-[0-9a-f-]{36}$/);
      // A reload shows the image again (by the page's own reload: Firefox's driver waits in
      // vain for an extension page's reload to load).
      await report.evaluate(() => {
        window.beforeReload = true;
        location.reload();
      }).catch(() => {});
      await report.waitForFunction(() => !window.beforeReload && !document.getElementById('report')?.hidden, { timeout: 30000 });
      const text = await report.evaluate(() => document.body.innerText);
      assert.match(text, /Where it was taken/);
      assert.match(text, /43\.46\d+, 11\.88\d+/, 'coordinates in decimal degrees');
      assert.match(text, /43° \d+′ [\d.]+″ N/, 'the latitude as people write it');
      assert.doesNotMatch(text, /\d deg \d|North or south|East or West/, "no EXIF standard's wording");
      assert.match(text, /NIKON/, 'the camera');
      assert.match(text, /Dates and times/);
      await report.screenshot({ path: shot(`report-${name}`), fullPage: true });
      await report.click('#save-clean');
      await report.waitForFunction(() => /^Saved /.test(document.getElementById('saved').textContent));
      const savedName = await report.evaluate(() => document.getElementById('saved').textContent.match(/^Saved (.+) \([^()]+\)\./)[1]);
      // As written: earlier tests saved photo-clean.jpg, so the browser added a number.
      const cleanCopy = await newestFile(browser.downloads, 'photo-clean');
      assert.equal(savedName, basename(cleanCopy));
      assert.match(savedName, /^photo-clean ?\(\d+\)\.jpg$/);
      assertClean(cleanCopy);
      await report.click('#save-compressed');
      await report.waitForFunction(() => /^Saved .*-compressed/.test(document.getElementById('saved').textContent));
      assertClean(await newestFile(browser.downloads, 'photo-compressed'), { allowOrientation: false });
      // Closed: the next test waits for the first report page open.
      await report.close();
    });

    test('"Show what this image reveals" on a data: image of megabytes (too long for a tab\'s address)', async () => {
      const big = join(corpus, 'ianare-exif-samples/jpg/tests/42_IndexError.jpg');
      const srcUrl = `data:image/jpeg;base64,${readFileSync(big).toString('base64')}`;
      const info = { menuItemId: 'traceless:reveal', srcUrl, pageUrl: menuUrl, editable: false, frameId: 0 };
      assert.equal((await browser.menuClick(info, menuUrl)).ok, true);
      // Named in the address, the image itself kept in storage.session.
      const report = await browser.waitForExtensionPage('report.html#stored=');
      await report.waitForSelector('#report:not([hidden])');
      assert.match(await report.evaluate(() => document.body.innerText), /JPEG, 4032 × 3024 pixels/);
      await report.close();
    });

    test('the options page changes what "Compress and save / With my settings" does', async () => {
      const options = await browser.openExtensionPage('options.html');
      await options.waitForFunction(() => document.getElementById('quality').value !== '');
      await options.evaluate(() => {
        document.getElementById('format').value = 'webp';
        document.getElementById('quality').value = '50';
        document.getElementById('maxDimension').value = '300';
      });
      await options.click('button[type=submit]');
      await options.waitForFunction(() => document.getElementById('status').textContent === 'Saved.');
      await options.screenshot({ path: shot(`options-${name}`), fullPage: true });
      try {
        const outcome = await click('compress:settings', 'plain');
        const file = await saved(outcome, 'photo-compressed.webp');
        assertClean(file, { allowOrientation: false });
        const image = decode(file);
        assert.equal(image.format, 'WEBP');
        assert.equal(Math.max(image.width, image.height), 300);
      } finally {
        await options.click('#reset');
        await options.waitForFunction(() => document.getElementById('status').textContent === 'Defaults restored.');
      }
      assert.equal(await options.evaluate(() => document.getElementById('format').value), 'keep');
    });

    test('"Compress and save" with PNG as the settings\' format saves the cleaned photo when the PNG would be larger', async () => {
      const options = await browser.openExtensionPage('options.html');
      await options.waitForFunction(() => document.getElementById('quality').value !== '');
      await options.evaluate(() => {
        document.getElementById('format').value = 'png';
      });
      await options.click('button[type=submit]');
      await options.waitForFunction(() => document.getElementById('status').textContent === 'Saved.');
      try {
        const outcome = await click('compress:settings', 'plain');
        // The photo made PNG is several times its JPEG: the JPEG, cleaned, is saved instead.
        const file = await saved(outcome, 'photo-clean.jpg');
        assertClean(file);
        assert.equal(decode(file).format, 'JPEG');
        assert.match(outcome.saved.summary, /^Compressing would not have made it smaller/);
        assert.ok(outcome.saved.bytesOut < outcome.saved.bytesIn, `${outcome.saved.bytesOut} < ${outcome.saved.bytesIn}`);
      } finally {
        await options.click('#reset');
        await options.waitForFunction(() => document.getElementById('status').textContent === 'Defaults restored.');
      }
    });

    test('on install the settings page opens and says in three sentences what the guard does and how to switch it off for a site, and that open tabs need reloading', async () => {
      const { intro, installed } = browser.installIntro ?? { intro: '', installed: '' };
      assert.equal(intro.split(/(?<=\.) /).length, 3, intro);
      assert.match(intro, /When you upload a photo to a website, Traceless first removes what it reveals/);
      assert.match(intro, /To switch this off for one site, add the site under “Sites with their own rule” with “Do nothing”\./);
      // Tabs opened before the install have no guard (Chromium) or one that started after the page's scripts (Firefox).
      assert.equal(installed, 'Tabs that were already open are guarded from their next reload: reload them before you upload photos there.');
      // The settings page opened later says nothing of it (a query of its own: the harness
      // finds pages by address, and the one opened on install is still there).
      const later = await browser.openExtensionPage('options.html?later');
      await later.waitForFunction(() => document.getElementById('intro')?.textContent);
      assert.equal(await later.evaluate(() => document.getElementById('installed').hidden), true);
    });

    test('the settings page links to the privacy policy and the licences shipped with the extension', async () => {
      const options = await browser.openExtensionPage('options.html');
      const href = await options.evaluate(() => document.querySelector('a[href="licences.html"]')?.href ?? null);
      assert.ok(href, 'an "About and licences" link');
      // Not closed: in Firefox this is the page the harness opens extension pages from.
      const licences = await browser.openExtensionPage('licences.html');
      const text = await licences.evaluate(() => document.body.innerText);
      // The C codecs' own licences, not only their Rust bindings', and the bundled npm code.
      for (const owner of ['Independent JPEG Group', 'Copyright (c) 2010, Google Inc.', 'Eric Biggers', 'Alliance for Open Media Patent License', 'fflate', 'srcset']) {
        assert.ok(text.includes(owner), `the notices name ${owner}`);
      }
      await licences.close();
      // The privacy policy, made from PRIVACY.md, is linked too.
      assert.ok(await options.evaluate(() => document.querySelector('a[href="privacy.html"]') !== null), 'a privacy link');
      const privacy = await browser.openExtensionPage('privacy.html');
      const policy = await privacy.evaluate(() => document.body.innerText);
      assert.match(policy, /Nothing leaves your device/);
      assert.match(policy, /no network request of its own/);
      await privacy.close();
    });

    test('no extension context made a request outside the test web', () => {
      assert.deepEqual(web.outsiders(), []);
      const seen = web.requests.length;
      assert.ok(seen > 10, `the proxy saw the test traffic (${seen} requests)`);
    });
  });
}
