// The upload guard, through the built extension, in Chromium and Firefox: what
// the test server receives is judged by exiftool; the page's own handlers must
// see cleaned files with the originals' names (less any date in them) and types, once, in order.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROWSERS } from './browsers.mjs';
import { corpus, IMAGES, root, TestWeb } from './server.mjs';
import { shot } from './shots.mjs';
import { decode, frameHashes, heifPixels, leaks, ownFindings, sequenceLeaks } from './judge.mjs';

const only = process.env.TRACELESS_BROWSERS?.split(',') ?? Object.keys(BROWSERS);
const scratch = mkdtempSync(join(tmpdir(), 'traceless-guard-'));
const PHOTO = join(corpus, IMAGES['photo.jpg']);
const PNG = join(corpus, IMAGES['text.png']);
const HEIC = join(corpus, IMAGES['phone.heic']);
const AVIF = join(corpus, IMAGES['photo.avif']);
/** A TIFF: an image Traceless cannot clean. */
const TIFF = join(corpus, IMAGES['scan.tiff']);
/** An animated AVIF (an image sequence, with an alpha track), which exiftool fills below. */
const AVIFS_SOURCE = join(corpus, 'link-u-avif-sample-images/star-8bpc-with-alpha.avifs');
const CORRUPT = join(corpus, IMAGES['corrupt.jpg']);
const TEXT = join(scratch, 'notes.txt');
writeFileSync(TEXT, 'not an image: must arrive byte for byte\n');

/** Why folder tests skip Firefox (real-dialog.test.mjs chooses one there through the real dialog). */
const NO_FOLDERS_IN_FIREFOX = 'Firefox cannot be given a folder in automation (BiDi and the privileged drop refuse directories)';

/** A folder as a user picks or drops one: folderName/beach.jpg, …/day2/hill.jpg (the photo) and …/notes.txt. */
function photoFolder(folderName, { notes = true } = {}) {
  const folder = join(scratch, folderName);
  mkdirSync(join(folder, 'day2'), { recursive: true });
  copyFileSync(PHOTO, join(folder, 'beach.jpg'));
  copyFileSync(PHOTO, join(folder, 'day2', 'hill.jpg'));
  if (notes) writeFileSync(join(folder, 'notes.txt'), 'packing list');
  return folder;
}

/** Writes what the server received to disk and judges it. */
function judge(file) {
  // A file sent from a folder is named by its path there: its last part.
  const path = join(scratch, `${Date.now()}-${Math.random().toString(36).slice(2)}-${file.name.split('/').pop()}`);
  writeFileSync(path, file.bytes);
  return { path, leaks: leaks(path) };
}

for (const name of only) {
  describe(`upload guard in ${name}`, { concurrency: false }, () => {
    const web = new TestWeb();
    let browser;

    before(async () => {
      await web.start();
      browser = await BROWSERS[name](web);
    });
    after(async () => {
      await browser?.close();
      await web.stop();
    });

    async function uploadsAfter(action, count) {
      const before = web.uploads.length;
      await action();
      const deadline = Date.now() + 30000;
      while (web.uploads.length < before + count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // (Uploads still arriving say where one stopped: tests/e2e/server.mjs `receiving`.)
      assert.equal(web.uploads.length, before + count, `uploads received; arriving: ${JSON.stringify([...web.receiving])}; through the proxy: ${JSON.stringify([...web.forwarding])}`);
      return web.uploads.slice(before);
    }

    test('fetch + FormData from the change handler: cleaned images, other files untouched', async () => {
      const page = await browser.open(`${web.originA}/upload/fetch.html`);
      const [upload] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [PHOTO, PNG, TEXT]), 1);
      assert.deepEqual(upload.files.map((f) => f.name), ['DSCN0010.jpg', 'iptc.png', 'notes.txt']);
      assert.deepEqual(upload.files.map((f) => f.type), ['image/jpeg', 'image/png', 'text/plain']);
      for (const file of upload.files.slice(0, 2)) {
        const { path, leaks: found } = judge(file);
        assert.deepEqual(found, [], `${file.name} arrived with metadata`);
        assert.ok(decode(path).width > 0);
      }
      assert.ok(leaks(PHOTO).length > 10 && leaks(PNG).length > 0, 'the originals carry metadata (the test can fail)');
      assert.deepEqual(upload.files[2].bytes, readFileSync(TEXT), 'a non-image passes untouched');
      const cleanedPixels = decode(judge(upload.files[0]).path).hashes;
      assert.deepEqual(cleanedPixels, decode(PHOTO).hashes, 'pixels unchanged');
      const seen = await page.evaluate(() => window.seen);
      assert.equal(seen.length, 2, `handlers ran once each: ${seen}`);
      assert.equal(seen[0], 'input:3');
      assert.match(seen[1], /^change:DSCN0010\.jpg\|image\/jpeg\|\d+,iptc\.png\|image\/png\|\d+,notes\.txt\|text\/plain\|\d+$/);
      assert.equal(await page.evaluate(() => document.querySelectorAll('traceless-notice').length), 1, 'the user is told');
      await page.screenshot({ path: shot(`upload-notice-${name}`) });
      assert.equal(await browser.badgeText(`${web.originA}/upload/fetch.html`), '2', 'the toolbar badge counts cleaned files');
    });

    test('photos the phone named after the moment they were taken go without that date in their names, and no cleaned file carries its original\'s date', async () => {
      const dir = mkdtempSync(join(scratch, 'dated-'));
      const taken = new Date('2024-06-12T09:35:12Z');
      const chosen = [['PXL_20240612_093512345.jpg', PHOTO], ['PXL_20240613_101112131.jpg', PHOTO], ['notes-2024-06-12.txt', TEXT]].map(([file, source]) => {
        const path = join(dir, file);
        copyFileSync(source, path);
        utimesSync(path, taken, taken);
        return path;
      });
      const dates = (page) => page.evaluate(() => [...document.getElementById('file').files].map((f) => f.lastModified));
      const chosenAt = Date.now();
      let page = await browser.open(`${web.originA}/upload/fetch.html`);
      let [upload] = await uploadsAfter(() => browser.chooseFiles(page, '#file', chosen), 1);
      // Each stamp becomes a random token: names stay apart, also from one upload to the next.
      const names = upload.files.map((f) => f.name);
      assert.match(names[0], /^PXL_[a-z0-9]{6}\.jpg$/);
      assert.match(names[1], /^PXL_[a-z0-9]{6}\.jpg$/);
      assert.notEqual(names[0], names[1]);
      assert.equal(names[2], 'notes-2024-06-12.txt', 'a file that is not an image keeps its name');
      assert.deepEqual(judge(upload.files[0]).leaks, []);
      let [first, second, text] = await dates(page);
      assert.equal(text, taken.getTime(), 'the browser gives a file its date on disk (the test can fail); a file that is not an image goes untouched');
      assert.ok(first >= chosenAt && second >= chosenAt, `the cleaned copies are dated now, not ${taken.toISOString()}: ${first}, ${second}`);
      const notices = await browser.noticeTexts(page);
      assert.ok(notices.some((n) => n.endsWith('Sent 2 files under names without their dates, before the upload.')), notices.join(' | '));
      assert.ok(notices.every((n) => !n.includes('20240612')), 'no notice in the page shows a date taken out of a name');

      await browser.setSettings({ undatedNames: false });
      try {
        page = await browser.open(`${web.originA}/upload/fetch.html`);
        [upload] = await uploadsAfter(() => browser.chooseFiles(page, '#file', chosen.slice(0, 1)), 1);
        assert.deepEqual(upload.files.map((f) => f.name), ['PXL_20240612_093512345.jpg'], 'names kept when the user asks');
        [first] = await dates(page);
        assert.ok(first >= chosenAt, 'still dated now');
      } finally {
        await browser.setSettings(undefined);
      }
    });

    test('a page polling input.files never sees the original', async () => {
      const page = await browser.open(`${web.originA}/upload/poll.html`);
      const [upload] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [PHOTO]), 1);
      assert.deepEqual(judge(upload.files[0]).leaks, []);
      const sizes = await page.evaluate(() => window.sizes);
      assert.equal(sizes.length, 1);
      assert.notEqual(sizes[0], readFileSync(PHOTO).length, 'the first file the page saw was the cleaned one');
    });

    test('a file the page makes itself (a crop), put in its input with its own input and change events: the page\'s handlers get them at once, and the file as made', async () => {
      // Cropping and form libraries do this: the cropped canvas goes back into the file input,
      // and the events they dispatch are what their handlers wait for. It is the page's own
      // file (no user's original): the guard has nothing to take, and must not stop the events.
      const page = await browser.open(`${web.originA}/upload/fetch.html`);
      const [upload] = await uploadsAfter(async () => {
        const seen = await page.evaluate(async () => {
          const canvas = document.createElement('canvas');
          canvas.width = 40;
          canvas.height = 30;
          canvas.getContext('2d').fillRect(5, 5, 10, 10);
          const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
          window.made = new Uint8Array(await blob.arrayBuffer());
          const transfer = new DataTransfer();
          transfer.items.add(new File([blob], 'cropped.png', { type: 'image/png' }));
          const input = document.getElementById('file');
          input.files = transfer.files;
          input.dispatchEvent(new Event('input', { bubbles: true }));
          input.dispatchEvent(new Event('change', { bubbles: true }));
          return window.seen.slice();
        });
        assert.deepEqual(seen, ['input:1', `change:cropped.png|image/png|${await page.evaluate(() => window.made.length)}`], 'the handlers ran during the page\'s own dispatches');
      }, 1);
      const made = await page.evaluate(() => Array.from(window.made));
      assert.deepEqual([...upload.files[0].bytes], made, 'the page\'s file arrives as the page made it');
      assert.equal(await page.evaluate(() => window.seen.length), 2, 'no second round of events');
    });

    test('an input disabled by its <fieldset disabled>: its label opens no chooser, as without the extension', async () => {
      const page = await browser.open(`${web.originA}/upload/disabled.html`);
      assert.equal(await browser.chooserOpens(page, '#pick-off', 2000), false, 'a chooser for a disabled input');
      // The same page's enabled input opens one (this test can tell).
      assert.ok(await browser.chooserOpens(page, '#pick-on', 10000), 'no chooser for the enabled input');
      assert.equal(await page.evaluate(() => window.changes), 0);
    });

    test('a click inside a file input\'s label opens a chooser where the browser\'s would: from editable text, not from a link or a button in a shadow root', async () => {
      const page = await browser.open(`${web.originA}/upload/label-content.html`);
      assert.equal(await browser.chooserOpens(page, '#link', 2000), false, 'a chooser from the link');
      assert.equal(await browser.chooserOpens(page, '#host', 2000), false, 'a chooser from the shadow root\'s button');
      assert.ok(await browser.chooserOpens(page, '#edit', 10000), 'no chooser from the editable text');
      assert.equal(await page.evaluate(() => window.changes), 0);
    });

    test('a page enforcing Trusted Types whose write() of a plain string is refused stays as it was, as without the extension', async () => {
      const page = await browser.open(`${web.originA}/upload/trusted-types-write.html`);
      await page.waitForFunction(() => window.outcome !== undefined);
      assert.equal(await page.evaluate(() => window.outcome), 'TypeError');
      assert.equal(await page.evaluate(() => document.getElementById('keep')?.textContent), 'A page enforcing Trusted Types');
    });

    test('a chooser takes the input\'s options as the page\'s click handlers leave them (multiple, set on the label\'s click)', async () => {
      const page = await browser.open(`${web.originA}/upload/late-options.html`);
      assert.deepEqual(await browser.chooserOpens(page, '#pick', 10000), { multiple: true });
    });

    test('XHR with the File as body, read in an onchange attribute', async () => {
      const page = await browser.open(`${web.originA}/upload/xhr.html`);
      const [upload] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [PHOTO]), 1);
      assert.equal(upload.files[0].name, 'DSCN0010.jpg');
      assert.deepEqual(judge(upload.files[0]).leaks, []);
    });

    test('a native form submitted at once waits for cleaning', async () => {
      const page = await browser.open(`${web.originA}/upload/form.html`);
      const [upload] = await uploadsAfter(async () => {
        await browser.chooseFiles(page, '#file', [PHOTO, PNG]);
        await page.click('#send');
      }, 1);
      assert.equal(upload.fields.note, 'plain form');
      assert.deepEqual(upload.files.map((f) => f.name), ['DSCN0010.jpg', 'iptc.png']);
      for (const file of upload.files) assert.deepEqual(judge(file).leaks, [], file.name);
    });

    test('a native form submitted at once after files were dropped on its input waits for cleaning', async () => {
      const page = await browser.open(`${web.originA}/upload/form.html`);
      const [upload] = await uploadsAfter(async () => {
        await browser.dropFiles(page, '#file', [PHOTO, PNG]);
        await page.click('#send');
      }, 1);
      assert.deepEqual(upload.files.map((f) => f.name), ['DSCN0010.jpg', 'iptc.png']);
      for (const file of upload.files) assert.deepEqual(judge(file).leaks, [], file.name);
    });

    test('forty photos sent by the page\'s fetch(FormData) arrive whole', async () => {
      // In Firefox the copies were Files over the engine's Blobs, which live in the
      // extension's process: an upload of 40 of them (5.8 MB) stopped a few KB before its
      // end, every time, and never ended (session 45; the proxy got no more than the server).
      const many = Array.from({ length: 40 }, (_, i) => {
        const copy = join(scratch, `whole-${i}.jpg`);
        copyFileSync(PHOTO, copy);
        return copy;
      });
      const page = await browser.open(`${web.originA}/upload/form-script.html`);
      await browser.chooseFiles(page, '#file', many);
      const names = () => page.evaluate(() => [...document.getElementById('file').files].map((f) => f.name));
      for (let i = 0; i < 600 && (await names()).length !== many.length; i++) await new Promise((r) => setTimeout(r, 50));
      const [upload] = await uploadsAfter(() => page.evaluate(() => document.getElementById('send').click()), 1);
      assert.equal(upload.files.length, many.length);
      assert.ok(upload.files.every((f) => f.bytes.length > 100000 && f.bytes[0] === 0xff && f.bytes[1] === 0xd8), 'whole JPEGs');
      assert.deepEqual(judge(upload.files.at(-1)).leaks, []);
    });

    test('a form submitted twice while its files are cleaned is sent once; one whose file was held back is not sent without it', async () => {
      // Read-only review (session 43): each held submit was sent again, so twice, and a form
      // was sent without the file the guard held back (the notice went with the page).
      // Enough photos that the clicks come while they are cleaned; clicked by script (a
      // notice may cover the button).
      const many = Array.from({ length: 80 }, (_, i) => {
        const copy = join(scratch, `held-form-${i}.jpg`);
        copyFileSync(join(corpus, 'exiftool/t/images/GPS.jpg'), copy);
        return copy;
      });
      const send = (page) => page.evaluate(() => document.getElementById('send').click());
      const page = await browser.open(`${web.originA}/upload/form-script.html`);
      const [upload] = await uploadsAfter(async () => {
        await browser.chooseFiles(page, '#file', many);
        await page.evaluate(() => {
          document.getElementById('send').click();
          document.getElementById('send').click();
        });
      }, 1);
      assert.equal(upload.files.length, many.length);
      const after = web.uploads.length;
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.equal(web.uploads.length, after, 'sent once');
      await browser.chooseFiles(page, '#file', [TIFF, ...many]);
      await send(page);
      let notices = [];
      for (let i = 0; i < 100 && !notices.some((n) => /held back/.test(n)); i++, await new Promise((r) => setTimeout(r, 50))) {
        notices = await browser.noticeTexts(page);
      }
      assert.match(notices.join('\n'), /Arbitro\.tiff was held back/);
      // The cleaning is over once the copies are in (a progress notice may name the TIFF
      // first, while the rest are cleaned): a held form would be sent again then.
      const held = () => page.evaluate(() => document.getElementById('file').files.length);
      for (let i = 0; i < 300 && (await held()) !== many.length; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await held(), many.length, 'the cleaned copies are in');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(web.uploads.length, after, 'not sent without the TIFF');
      // Sent as it now is, when the user sends it.
      const [later] = await uploadsAfter(() => send(page), 1);
      assert.equal(later.files.length, many.length);
      // Chosen again while the form waits: it waits for the newer files too, then goes with
      // them (it went with none, the input emptied for cleaning: a review of the diff).
      const newer = many.map((file, i) => {
        const copy = join(scratch, `newer-${i}.jpg`);
        copyFileSync(file, copy);
        return copy;
      });
      // The first of the two selections is 40 larger photos (5.8 MB), so that its cleaning
      // is still under way when the second comes: 80 small ones were all cleaned before it
      // once (session 45's CI run 1, Chromium), and the form went with them, as it should.
      const larger = Array.from({ length: 40 }, (_, i) => {
        const copy = join(scratch, `larger-${i}.jpg`);
        copyFileSync(PHOTO, copy);
        return copy;
      });
      const [third] = await uploadsAfter(async () => {
        await browser.chooseFiles(page, '#file', larger);
        await send(page);
        await browser.chooseFiles(page, '#file', newer);
      }, 1);
      assert.equal(third.files.length, newer.length);
      assert.ok(third.files.every((f) => f.name.startsWith('newer-')), third.files.map((f) => f.name).join());
      // Dropped on the input with a file held back, and sent meanwhile: not sent without it.
      const before = web.uploads.length;
      await browser.dropFiles(page, '#file', [TIFF, ...many]);
      await send(page);
      for (let i = 0; i < 300 && (await held()) !== many.length; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(web.uploads.length, before, 'a drop with a file held back: not sent');
    });

    test('a form whose file input is required, submitted at once, waits for cleaning instead of saying "select a file"', async () => {
      const page = await browser.open(`${web.originA}/upload/form-required.html`);
      const [upload] = await uploadsAfter(async () => {
        await browser.chooseFiles(page, '#file', [PHOTO, PNG, HEIC]);
        await page.click('#send');
      }, 1);
      assert.equal(upload.fields.note, 'required file');
      assert.deepEqual(upload.files.length, 3);
      for (const file of upload.files) assert.deepEqual(judge(file).leaks, [], file.name);
    });

    // iPhone photos and AVIFs are cleaned losslessly: exiftool and our own item walk find
    // nothing beyond display information, and the picture is unchanged (libheif decodes it).
    for (const how of ['input', 'chooser']) {
      test(`HEIC and AVIF uploads are cleaned (${how})`, async () => {
        const page = await browser.open(`${web.originA}/upload/fetch.html`);
        const pick = how === 'input' ? browser.chooseFiles(page, '#file', [HEIC, AVIF]) : browser.chooseViaDialog(page, '#file', [HEIC, AVIF]);
        const [upload] = await uploadsAfter(() => pick, 1);
        assert.deepEqual(upload.files.map((f) => [f.name, f.type]), [['IMG_5195.HEIC', 'image/heic'], ['dirty.avif', 'image/avif']]);
        assert.ok(leaks(HEIC).length > 5 && ownFindings(HEIC).length > 5, 'the originals carry metadata (the test can fail)');
        for (const file of upload.files) {
          const { path, leaks: left } = judge(file);
          assert.deepEqual(left, [], `${file.name}: exiftool`);
          assert.deepEqual(ownFindings(path), [], `${file.name}: our item walk`);
          assert.equal(heifPixels(path), heifPixels(file.name === 'dirty.avif' ? AVIF : HEIC), `${file.name}: same picture`);
        }
      });
    }

    test('an image that cannot be cleaned is held back and the user is told why', async () => {
      const page = await browser.open(`${web.originA}/upload/fetch.html`);
      const [upload] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [TIFF, PHOTO]), 1);
      assert.deepEqual(upload.files.map((f) => f.name), ['DSCN0010.jpg'], 'the TIFF never left');
      assert.deepEqual(judge(upload.files[0]).leaks, []);
      // A notice each, the refusal in words (the engine's reason code).
      const notices = await browser.noticeTexts(page);
      assert.equal(notices.length, 2, JSON.stringify(notices));
      assert.match(notices.join('\n'), /Arbitro\.tiff was held back: .* This is a TIFF file\./);
    });

    test('an animated AVIF arrives cleaned (by the video module), every frame as it was', async () => {
      // exiftool puts a place, a camera, a person and XMP in it (moving the frames to match).
      // Never with -overwrite_original beside -o: exiftool 12.57 then deletes the source.
      const dirty = join(mkdtempSync(join(scratch, 'sequence-')), 'animated.avifs');
      execFileSync('exiftool', ['-q', '-UserData:GPSCoordinates=48.8584, 2.2945', '-UserData:Make=SecretCam',
        '-Keys:Author=SecretAuthor', '-XMP-dc:Creator=Secret Person', '-o', dirty, AVIFS_SOURCE]);
      assert.ok(sequenceLeaks(dirty).length >= 4, 'exiftool finds what it wrote');
      const page = await browser.open(`${web.originA}/upload/fetch.html`);
      const [upload] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [dirty]), 1);
      const [file] = upload.files;
      assert.equal(file.name, 'animated.avifs');
      const { path } = judge(file);
      assert.notDeepEqual(file.bytes, readFileSync(dirty), 'not the original');
      assert.deepEqual(sequenceLeaks(path), [], 'exiftool finds no place, device, person or date');
      const frames = frameHashes(dirty);
      assert.deepEqual(new Set(frames.map((l) => l.split(',')[0])), new Set(['0', '1']), 'the picture and alpha tracks');
      assert.ok(frames.length >= 10, `${frames.length} frames`);
      assert.deepEqual(frameHashes(path), frames, 'every frame of both tracks decodes as before');
      const [notice] = await browser.noticeTexts(page);
      assert.match(notice, /^Traceless: Removed location, .* from animated\.avifs before the upload\.$/);
    });

    for (const mode of ['open', 'closed']) {
      test(`an input inside a ${mode} shadow root`, async () => {
        const page = await browser.open(`${web.originA}/upload/shadow.html`);
        // Clicked, as a user opens a file chooser (the guard finds shadow-root inputs on that click).
        const [upload] = await uploadsAfter(() => browser.chooseViaDialog(page, new Function(`return window.pick.${mode}`), [PHOTO]), 1);
        assert.ok(upload.url.endsWith(`from=${mode}`));
        assert.deepEqual(upload.files.map((f) => f.name), ['DSCN0010.jpg']);
        assert.deepEqual(judge(upload.files[0]).leaks, []);
        assert.deepEqual(await page.evaluate((m) => window.seen[m], mode), ['DSCN0010.jpg'], 'one change, with the file');
      });
    }

    for (const mode of ['open', 'closed']) {
      test(`files dropped straight onto an input inside a ${mode} shadow root`, async () => {
        const page = await browser.open(`${web.originA}/upload/shadow.html`);
        const [upload] = await uploadsAfter(() => browser.dropFiles(page, new Function(`return window.pick.${mode}`), [PHOTO]), 1);
        assert.ok(upload.url.endsWith(`from=${mode}`));
        assert.deepEqual(upload.files.map((f) => f.name), ['DSCN0010.jpg']);
        assert.deepEqual(judge(upload.files[0]).leaks, []);
        assert.deepEqual(await page.evaluate((m) => window.seen[m], mode), ['DSCN0010.jpg'], 'one change, with the file');
      });
    }

    // A drop or paste aimed inside a closed root reaches window as one on the root's host:
    // the guard replays it at the element inside (until session 38, at the host, where
    // the widget's own listeners never heard of it).
    for (const mode of ['open', 'closed']) {
      test(`a drop zone and an editor inside a ${mode} shadow root get the cleaned files`, async () => {
        const page = await browser.open(`${web.originA}/upload/shadow-zones.html`);
        const [dropped] = await uploadsAfter(() => browser.dropFiles(page, new Function(`return window.zone.${mode}`), [PHOTO]), 1);
        assert.ok(dropped.url.endsWith(`from=${mode}-drop`), dropped.url);
        assert.deepEqual(dropped.files.map((f) => f.name), ['DSCN0010.jpg']);
        assert.deepEqual(judge(dropped.files[0]).leaks, []);
        await page.evaluate((m) => window.editor[m].focus(), mode);
        const [pasted] = await uploadsAfter(() => browser.pasteImage(page), 1);
        assert.ok(pasted.url.endsWith(`from=${mode}-paste`), pasted.url);
        assert.deepEqual(pasted.files.map((f) => f.name), ['image.png']);
        assert.deepEqual(await page.evaluate((m) => window.seen[m], mode), ['drop:DSCN0010.jpg', 'paste:image.png']);
      });
    }

    // A folder, chosen in a webkitdirectory input or dropped whole: its images arrive
    // cleaned, its other files untouched, and the folder's structure survives (the copies
    // get their paths, a replayed drop its folder entries: README). Chromium only: Firefox
    // refuses a folder both to WebDriver BiDi's setFiles and to the privileged drop ("Is
    // directory"); real-dialog.test.mjs chooses one in Firefox through its real dialog.
    for (const how of ['chooser', 'drop']) {
      test(`a folder, ${how === 'chooser' ? 'chosen in a webkitdirectory input' : 'dropped whole'}: its images cleaned, the rest untouched`,
        { skip: name === 'firefox' && NO_FOLDERS_IN_FIREFOX }, async () => {
          const folder = photoFolder(`holiday-${how}`);
          const page = await browser.open(`${web.originA}/upload/folder.html`);
          const [upload] = await uploadsAfter(
            () => (how === 'chooser' ? browser.chooseViaDialog(page, '#file', [folder]) : browser.dropFiles(page, '#zone', [folder])), 1);
          const byName = Object.fromEntries(upload.files.map((f) => [f.name.split('/').pop(), f]));
          assert.deepEqual(Object.keys(byName).sort(), ['beach.jpg', 'hill.jpg', 'notes.txt']);
          for (const image of ['beach.jpg', 'hill.jpg']) assert.deepEqual(judge(byName[image]).leaks, [], image);
          assert.equal(byName['notes.txt'].bytes.toString(), 'packing list');
          // The page sends each file under its webkitRelativePath (chooser) or its entry's
          // fullPath (drop): the folder arrives whole (until session 33 the cleaned copies
          // came as beach.jpg, hill.jpg, and a dropped folder as a flat list).
          const paths = ['beach.jpg', 'day2/hill.jpg', 'notes.txt'].map((p) => `${how === 'drop' ? '/' : ''}holiday-${how}/${p}`);
          assert.deepEqual(upload.files.map((f) => f.name).sort(), paths);
          if (how === 'drop') {
            // The page walked a folder entry (with its subfolder) to find them.
            const [seen] = await page.evaluate(() => window.seen);
            assert.deepEqual(seen.replace(/^drop:/, '').split(',').sort(), paths);
          }
        });

      if (how === 'chooser') {
        test('a folder with an image Traceless cannot clean, sent as it is by the user\'s setting: it too keeps its path',
          { skip: name === 'firefox' && NO_FOLDERS_IN_FIREFOX }, async () => {
            // Read-only review (session 43): such a file came without its folder.
            const folder = photoFolder('scans', { notes: false });
            copyFileSync(TIFF, join(folder, 'day2', 'scan.tiff'));
            await browser.setSettings({ passUncleanable: true });
            try {
              const page = await browser.open(`${web.originA}/upload/folder.html`);
              const [upload] = await uploadsAfter(() => browser.chooseViaDialog(page, '#file', [folder]), 1);
              assert.deepEqual(upload.files.map((f) => f.name).sort(), ['scans/beach.jpg', 'scans/day2/hill.jpg', 'scans/day2/scan.tiff']);
            } finally {
              await browser.setSettings(undefined);
            }
          });

        test('a folder chosen in a webkitdirectory input inside a closed shadow root: every file under its path',
          { skip: name === 'firefox' && NO_FOLDERS_IN_FIREFOX }, async () => {
            const folder = photoFolder('shadow-trip', { notes: false });
            const page = await browser.open(`${web.originA}/upload/shadow-folder.html`);
            const [upload] = await uploadsAfter(() => browser.chooseViaDialog(page, () => window.pick, [folder]), 1);
            const relative = ['shadow-trip/beach.jpg', 'shadow-trip/day2/hill.jpg'];
            assert.deepEqual(upload.files.map((f) => f.name).sort(), relative);
            for (const file of upload.files) assert.deepEqual(judge(file).leaks, [], file.name);
            assert.deepEqual((await page.evaluate(() => window.seen))[0].sort(), relative);
          });

        test("a folder dropped on a form's webkitdirectory input: it holds every file under its path, as when the folder is chosen, and the form sends them so",
          { skip: name === 'firefox' && NO_FOLDERS_IN_FIREFOX }, async () => {
            const folder = photoFolder('trip-dropped');
            const page = await browser.open(`${web.originA}/upload/folder-form.html`);
            await browser.dropFiles(page, '#file', [folder]);
            const relative = ['beach.jpg', 'day2/hill.jpg', 'notes.txt'].map((p) => `trip-dropped/${p}`);
            for (const deadline = Date.now() + 30000; !(await page.evaluate(() => window.seen.length)) && Date.now() < deadline;) {
              await new Promise((r) => setTimeout(r, 50));
            }
            // The input has no `multiple`: a folder input takes the whole folder all the same.
            assert.deepEqual((await page.evaluate(() => window.seen))[0].sort(), relative);
            const [upload] = await uploadsAfter(() => page.click('#send'), 1);
            assert.deepEqual(upload.files.map((f) => f.name).sort(), relative);
            for (const file of upload.files.filter((f) => f.name.endsWith('.jpg'))) assert.deepEqual(judge(file).leaks, [], file.name);
          });

        test('a photo, or two folders, dropped on a webkitdirectory input change nothing, as in Chromium without Traceless', { skip: name === 'firefox' && NO_FOLDERS_IN_FIREFOX }, async () => {
          for (const dropped of [[PHOTO], [photoFolder('one'), photoFolder('two')]]) {
            const page = await browser.open(`${web.originA}/upload/folder-form.html`);
            await browser.dropFiles(page, '#file', dropped);
            await new Promise((r) => setTimeout(r, 2500));
            assert.deepEqual(await page.evaluate(() => [window.seen, document.getElementById('file').files.length]), [[], 0]);
            await page.close();
          }
        });

        const sentBy = {
          form: 'by the form itself',
          script: 'as new FormData(form)',
          append: "in a script's own FormData, append() and set()",
          polluted: "in a script's own FormData, on a page that gave Object.prototype a get",
        };
        for (const send of ['form', 'script', 'append', 'polluted']) {
          test(`a folder chosen in a form's webkitdirectory input, sent ${sentBy[send]}: each file under its path in the folder, as the browser names the originals`,
            { skip: name === 'firefox' && NO_FOLDERS_IN_FIREFOX }, async () => {
              const folder = photoFolder(`trip-${send}`);
              const page = await browser.open(`${web.originA}/upload/folder-form.html${send === 'polluted' ? '?polluted' : ''}`);
              await browser.chooseViaDialog(page, '#file', [folder]);
              const relative = ['beach.jpg', 'notes.txt', 'day2/hill.jpg'].map((p) => `trip-${send}/${p}`);
              // The page reads every file's path, the cleaned copies' too, once they are in.
              for (const deadline = Date.now() + 30000; !(await page.evaluate(() => window.seen.length)) && Date.now() < deadline;) {
                await new Promise((r) => setTimeout(r, 50));
              }
              assert.deepEqual((await page.evaluate(() => window.seen))[0].sort(), [...relative].sort());
              const first = (await page.evaluate(() => window.seen))[0][0];
              const button = { form: '#send', script: '#script', append: '#append', polluted: '#append' }[send];
              const [upload] = await uploadsAfter(() => page.click(button), 1);
              const appended = button === '#append';
              const photos = upload.files.filter((f) => f.field === 'photos' || !appended);
              assert.deepEqual(photos.map((f) => f.name).sort(), [...relative].sort());
              if (appended) {
                // The wrapped methods are shaped as the built-ins: two parameters, their names,
                // no prototype, writable, enumerable and configurable.
                const shape = () => ['append', 'set'].map((key) => {
                  const { value, writable, enumerable, configurable } = Object.getOwnPropertyDescriptor(FormData.prototype, key);
                  return [value.name, value.length, Object.hasOwn(value, 'prototype'), writable, enumerable, configurable];
                });
                assert.deepEqual(await page.evaluate(shape), [['append', 2, false, true, true, true], ['set', 2, false, true, true, true]]);
                // set() names the copy by its path too; a name the page gave stays the page's.
                assert.deepEqual(upload.files.filter((f) => f.field !== 'photos').map((f) => [f.field, f.name]), [['cover', first], ['named', 'mine.jpg']]);
              }
              for (const file of upload.files.filter((f) => /\.jpg$/.test(f.name))) assert.deepEqual(judge(file).leaks, [], file.name);
            });
        }
      }
    }

    for (const how of ['pick', 'picker']) {
      test(`an input never attached to the document, opened with ${how === 'pick' ? 'click()' : 'showPicker()'}`, async () => {
        const page = await browser.open(`${web.originA}/upload/detached.html`);
        const [upload] = await uploadsAfter(() => browser.chooseViaDialog(page, `#${how}`, [PHOTO]), 1);
        assert.ok(upload.url.endsWith(`from=detached-${how}`));
        assert.deepEqual(upload.files.map((f) => f.name), ['DSCN0010.jpg']);
        assert.deepEqual(judge(upload.files[0]).leaks, []);
        assert.deepEqual(await page.evaluate(() => window.seen), ['DSCN0010.jpg']);
      });
    }

    test('an uploader in a cross-origin iframe', async () => {
      const page = await browser.open(`${web.originA}/upload/framed.html`);
      const frame = page.frames().find((f) => f.url().endsWith('/upload/fetch.html'));
      assert.ok(frame, 'the frame loaded');
      const [upload] = await uploadsAfter(() => browser.chooseFiles(frame, '#file', [PHOTO]), 1);
      assert.ok(upload.url.startsWith(web.originB));
      assert.deepEqual(judge(upload.files[0]).leaks, []);
    });

    test('a choice made for a site holds in its cross-origin frames (the site the user sees, not the frame\'s origin)', async () => {
      // Off everywhere, on for the site: its frame from another origin was off, and sent the
      // original (read-only review, session 43). Then the other way: off for the site.
      try {
        for (const [settings, cleaned] of [[{ guardMode: 'off', siteModes: { [web.originA]: 'clean' } }, true], [{ guardMode: 'clean', siteModes: { [web.originA]: 'off' } }, false]]) {
          await browser.setSettings(settings);
          const page = await browser.open(`${web.originA}/upload/framed.html`);
          const frame = page.frames().find((f) => f.url().endsWith('/upload/fetch.html'));
          await new Promise((resolve) => setTimeout(resolve, 500)); // the frame's guard has its answer
          const [upload] = await uploadsAfter(() => browser.chooseFiles(frame, '#file', [PHOTO]), 1);
          assert.equal(judge(upload.files[0]).leaks.length === 0, cleaned, JSON.stringify(settings));
          await page.close();
        }
      } finally {
        await browser.setSettings(undefined);
      }
    });

    /** A drop or paste made by the page's own script, with a file the page fetched itself. */
    async function pageMadeDropOrPaste(page, how, target) {
      await page.evaluate(async ({ how, target }) => {
        const blob = await (await fetch('/img/photo.jpg')).blob();
        const data = new DataTransfer();
        data.items.add(new File([blob], 'DSCN0010.jpg', { type: 'image/jpeg', lastModified: 1 }));
        data.setData('text/plain', 'dropped with text');
        const init = { bubbles: true, cancelable: true, composed: true };
        let event;
        if (how === 'drop') {
          event = new DragEvent('drop', { ...init, dataTransfer: data });
        } else {
          // Firefox's ClipboardEvent constructor would empty ours.
          event = new ClipboardEvent('paste', init);
          Object.defineProperty(event, 'clipboardData', { value: data });
        }
        (target ? document.getElementById(target) : document).dispatchEvent(event);
      }, { how, target });
    }

    for (const zone of ['files-zone', 'items-zone']) {
      test(`drag and drop onto a zone that reads dataTransfer.${zone.split('-')[0]}`, async () => {
        const page = await browser.open(`${web.originA}/upload/drop.html`);
        const [upload] = await uploadsAfter(() => browser.dropFiles(page, `#${zone}`, [PHOTO], 'dropped with text'), 1);
        assert.ok(upload.url.endsWith(`from=${zone}`));
        assert.deepEqual(upload.files.map((f) => [f.name, f.type]), [['DSCN0010.jpg', 'image/jpeg']]);
        assert.ok(leaks(PHOTO).length > 10, 'the original carries metadata (the test can fail)');
        assert.deepEqual(judge(upload.files[0]).leaks, []);
        assert.deepEqual(await page.evaluate(() => window.seen), ['text:dropped with text', `${zone}:DSCN0010.jpg`]);
      });
    }

    test('drag and drop onto a zone that keeps the items with an entry (webkitGetAsEntry) and reads each with entry.file(), as WordPress\'s uploader does', async () => {
      const page = await browser.open(`${web.originA}/upload/drop.html`);
      const [upload] = await uploadsAfter(() => browser.dropFiles(page, '#entries-zone', [PHOTO, TEXT], 'dropped with text'), 1);
      assert.deepEqual(upload.files.map((f) => [f.name, f.type]), [['DSCN0010.jpg', 'image/jpeg'], ['notes.txt', 'text/plain']]);
      assert.deepEqual(judge(upload.files[0]).leaks, []);
      assert.deepEqual(upload.files[1].bytes, readFileSync(TEXT), 'a non-image passes untouched');
      assert.deepEqual(await page.evaluate(() => window.seen), [
        'text:dropped with text', 'entries:file /DSCN0010.jpg,file /notes.txt', 'entries-zone:DSCN0010.jpg,notes.txt',
      ]);
    });

    test('a drop on a file input reaches the page\'s drop listeners first: a box lit while dragging goes dark, and a page that cancels the drop keeps its input as it was', async () => {
      const page = await browser.open(`${web.originA}/upload/drop-input.html`);
      const [upload] = await uploadsAfter(() => browser.dropFiles(page, '#file', [PHOTO]), 1);
      assert.ok(upload.url.endsWith('from=file'));
      assert.deepEqual(judge(upload.files[0]).leaks, []);
      assert.deepEqual(await page.evaluate(() => [window.seen, document.getElementById('box').dataset.over ?? 'dark']), [['drop:file:1', 'change:1'], 'dark']);
      const [own] = await uploadsAfter(() => browser.dropFiles(page, '#own', [PHOTO, TEXT]), 1);
      assert.ok(own.url.endsWith('from=own'));
      assert.deepEqual(own.files.map((f) => f.name), ['DSCN0010.jpg', 'notes.txt']);
      assert.deepEqual(judge(own.files[0]).leaks, []);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await page.evaluate(() => [window.seen.slice(2), document.getElementById('own').files.length]), [['own-drop:2'], 0], 'the cancelled drop filled no input');
    });

    test('a drop on an overlay the page takes away while the photo is cleaned still reaches the page', async () => {
      const page = await browser.open(`${web.originA}/upload/drop-overlay.html`);
      const [upload] = await uploadsAfter(() => browser.dropFiles(page, '#page', [HEIC]), 1);
      assert.ok(upload.url.endsWith('from=overlay'));
      assert.deepEqual(judge(upload.files[0]).leaks, []);
    });

    test('files dropped straight onto a file input', async () => {
      const page = await browser.open(`${web.originA}/upload/fetch.html`);
      const [upload] = await uploadsAfter(() => browser.dropFiles(page, '#file', [PHOTO, TEXT]), 1);
      assert.deepEqual(upload.files.map((f) => f.name), ['DSCN0010.jpg', 'notes.txt']);
      assert.deepEqual(judge(upload.files[0]).leaks, []);
      assert.deepEqual(upload.files[1].bytes, readFileSync(TEXT), 'a non-image passes untouched');
    });

    test('pasting an image', async () => {
      const page = await browser.open(`${web.originA}/upload/drop.html`);
      const [upload] = await uploadsAfter(() => browser.pasteImage(page), 1);
      assert.ok(upload.url.endsWith('from=paste'));
      assert.deepEqual(upload.files.map((f) => [f.name, f.type]), [['image.png', 'image/png']]);
      assert.ok(decode(judge(upload.files[0]).path).width === 8);
      assert.deepEqual(await page.evaluate(() => window.seen), ['paste:image.png']);
    });

    test('pasting cells copied from a spreadsheet (a picture of them beside their text) into a plain field or an editable area: the text goes in, as without the extension', {
      // Measured: with a file and text on its clipboard, Firefox lists only "Files" and
      // getData('text/plain') gives "" to every script, the extension's too, yet inserts
      // the text itself; the guard, which takes the paste for its file, cannot put it in.
      skip: name === 'firefox' && 'Firefox shows no script the text of a paste that also holds a file (a known loss, README)',
    }, async () => {
      const page = await browser.open(`${web.originA}/upload/paste-text.html`);
      const text = 'A1\tB1\nA2\tB2';
      await page.click('#notes');
      await browser.pasteImage(page, text);
      const until = async (fn, what) => {
        const deadline = Date.now() + 20000;
        while (Date.now() < deadline && !(await page.evaluate(fn))) await new Promise((r) => setTimeout(r, 100));
        assert.ok(await page.evaluate(fn), what);
      };
      await until(() => document.getElementById('notes').value.length > 0, 'text in the textarea');
      assert.equal(await page.evaluate(() => document.getElementById('notes').value), text);
      // The page saw the paste (the guard's stand-in, its picture cleaned) and left it to the browser.
      assert.match((await page.evaluate(() => window.pastes))[0], /^false:.*text\/plain.*Files|^false:Files.*text\/plain/);
      await page.click('#line');
      await browser.pasteImage(page, 'pasted');
      await until(() => document.getElementById('editor').textContent.includes('pasted'), 'text in the editable area');
    });

    test('pasting a picture alone into an editable area that leaves pasting to the browser: the picture goes in, as without the extension', async () => {
      // Measured without the extension, in both browsers: the browser puts the picture in at
      // the caret as <img src="data:image/png;base64,…">. The replayed paste has no such
      // default action: the picture vanished, and nothing was said (a read-only review).
      const page = await browser.open(`${web.originA}/upload/paste-text.html`);
      await page.click('#line');
      await browser.pasteImage(page);
      const deadline = Date.now() + 20000;
      const pictures = () => page.evaluate(() => [...document.querySelectorAll('#editor img')].map((img) => img.src.slice(0, 22)));
      while (Date.now() < deadline && (await pictures()).length === 0) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(await pictures(), ['data:image/png;base64,']);
      assert.match((await page.evaluate(() => window.pastes))[0], /^false:Files$/, 'the page saw the guard\'s stand-in, and left it to the browser');
    });

    // A page-made event carries only what the page already has: the guard must not act on
    // it (a page could otherwise have files of its choosing cleaned, or notices shown).
    for (const how of ['drop', 'paste']) {
      test(`a ${how} made by the page's own script is left alone`, async () => {
        const page = await browser.open(`${web.originA}/upload/drop.html`);
        const [upload] = await uploadsAfter(() => pageMadeDropOrPaste(page, how, how === 'drop' ? 'files-zone' : undefined), 1);
        assert.deepEqual(upload.files[0].bytes, readFileSync(PHOTO), 'the page got its own bytes back');
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(await page.evaluate(() => document.querySelectorAll('traceless-notice').length), 0, 'no notice');
      });
    }

    /** Waits until the page's own `window.events` include `what`. */
    async function pageEvent(page, what) {
      const deadline = Date.now() + 30000;
      while (Date.now() < deadline) {
        const events = await page.evaluate(() => window.events ?? []);
        if (events.some((e) => e.startsWith(what))) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail(`the page never reported ${what}: ${JSON.stringify(await page.evaluate(() => window.events))}`);
    }

    test('Dropzone: picked through its hidden input, uploaded, previewed, succeeded', async () => {
      const page = await browser.open(`${web.originA}/upload/dropzone.html`);
      const [upload] = await uploadsAfter(() => browser.chooseViaDialog(page, '#dz', [PHOTO, PNG]), 2);
      assert.ok(upload.url.endsWith('from=dropzone'));
      for (const u of web.uploads.slice(-2)) assert.deepEqual(judge(u.files[0]).leaks, [], u.files[0].name);
      await pageEvent(page, 'success:DSCN0010.jpg');
      await pageEvent(page, 'thumbnail');
    });

    test('Dropzone: dropped files', async () => {
      const page = await browser.open(`${web.originA}/upload/dropzone.html`);
      const [upload] = await uploadsAfter(() => browser.dropFiles(page, '#dz', [PHOTO]), 1);
      assert.deepEqual(judge(upload.files[0]).leaks, []);
      await pageEvent(page, 'success:DSCN0010.jpg');
    });

    test('Dropzone: a dropped folder: walked as a folder, each file where it was, the photos cleaned',
      { skip: name === 'firefox' && `${NO_FOLDERS_IN_FIREFOX}; there a dropped folder still arrives as a flat list` }, async () => {
        const folder = photoFolder('holiday-dz');
        const page = await browser.open(`${web.originA}/upload/dropzone.html`);
        const uploads = await uploadsAfter(() => browser.dropFiles(page, '#dz', [folder]), 3);
        for (const upload of uploads.filter((u) => u.files[0].name.endsWith('.jpg'))) assert.deepEqual(judge(upload.files[0]).leaks, []);
        assert.deepEqual(uploads.map((u) => u.files[0].name).sort(), ['beach.jpg', 'hill.jpg', 'notes.txt']);
        const events = await page.evaluate(() => window.events);
        assert.deepEqual(events.filter((e) => e.startsWith('folder:')).sort(),
          ['folder:holiday-dz/beach.jpg', 'folder:holiday-dz/day2/hill.jpg', 'folder:holiday-dz/notes.txt']);
      });

    test('FilePond: picked, processed by its server call', async () => {
      const page = await browser.open(`${web.originA}/upload/filepond.html`);
      // A click before FilePond's init opened no chooser in one Firefox run: wait for it.
      await pageEvent(page, 'ready');
      await page.waitForSelector('.filepond--browser');
      const [upload] = await uploadsAfter(() => browser.chooseViaDialog(page, '.filepond--label-action', [PHOTO]), 1);
      assert.ok(upload.url.endsWith('from=filepond'));
      assert.deepEqual(upload.files.map((f) => f.name), ['DSCN0010.jpg']);
      assert.deepEqual(judge(upload.files[0]).leaks, []);
      await pageEvent(page, 'processed:DSCN0010.jpg');
    });

    test('Uppy: Dashboard picker, XHR upload, thumbnail', async () => {
      const page = await browser.open(`${web.originA}/upload/uppy.html`);
      await pageEvent(page, 'ready');
      await page.waitForSelector('.uppy-Dashboard-browse');
      const [upload] = await uploadsAfter(() => browser.chooseViaDialog(page, '.uppy-Dashboard-browse', [PHOTO]), 1);
      assert.ok(upload.url.endsWith('from=uppy'));
      assert.deepEqual(judge(upload.files[0]).leaks, []);
      await pageEvent(page, 'success:DSCN0010.jpg');
      await pageEvent(page, 'thumbnail');
    });

    test('a site rule set in the settings page turns the guard off for that site only', async () => {
      const options = await browser.openExtensionPage('options.html');
      await options.waitForSelector('#site-origin');
      await options.evaluate((origin) => {
        document.getElementById('site-origin').value = origin;
        document.getElementById('site-mode').value = 'off';
      }, web.originA);
      await options.click('#site-add');
      await options.click('button[type=submit]');
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && (await options.evaluate(() => document.getElementById('status').textContent)) !== 'Saved.') {
        await new Promise((r) => setTimeout(r, 50));
      }
      await options.screenshot({ path: shot(`options-guard-${name}`), fullPage: true });
      try {
        const pageA = await browser.open(`${web.originA}/upload/fetch.html`);
        const [off] = await uploadsAfter(() => browser.chooseFiles(pageA, '#file', [PHOTO]), 1);
        assert.deepEqual(off.files[0].bytes, readFileSync(PHOTO), 'the original, as the rule asks');
        // Off is off: the page gets the browser's own events, not the guard's stand-ins.
        assert.deepEqual(await pageA.evaluate(() => window.trusted), [true], 'the browser\'s own change event');
        const dropA = await browser.open(`${web.originA}/upload/drop.html`);
        const [dropped] = await uploadsAfter(() => browser.dropFiles(dropA, '#files-zone', [PHOTO]), 1);
        assert.deepEqual(dropped.files[0].bytes, readFileSync(PHOTO), 'the dropped original, as the rule asks');
        assert.deepEqual(await dropA.evaluate(() => window.trusted), [true], 'the browser\'s own drop');
        const pageB = await browser.open(`${web.originB}/upload/fetch.html`);
        const [on] = await uploadsAfter(() => browser.chooseFiles(pageB, '#file', [PHOTO]), 1);
        assert.deepEqual(judge(on.files[0]).leaks, [], 'other sites are still guarded');
      } finally {
        await browser.setSettings(undefined);
      }
    });

    test('the settings page, saved, keeps a site rule set elsewhere while it was open (the popup, another computer)', async () => {
      const options = await browser.openExtensionPage('options.html?rules');
      const settled = async (check) => {
        for (let i = 0; i < 100 && !(await options.evaluate(check)); i++) await new Promise((r) => setTimeout(r, 50));
        return options.evaluate(check);
      };
      try {
        assert.ok(await settled(() => document.getElementById('quality').value !== ''));
        // Stored as the popup stores a rule, the settings page open meanwhile.
        await browser.setSettings({ siteModes: { [web.originA]: 'off' } });
        const origin = web.originA;
        assert.ok(await settled(() => document.getElementById('site-list').textContent.includes('127.0.0.1')), 'the page shows the new rule');
        await options.evaluate(() => { document.getElementById('quality').value = '55'; });
        await options.click('button[type=submit]');
        assert.ok(await settled(() => document.getElementById('status').textContent === 'Saved.'));
        // The rule holds: this site gets the original, as it asks.
        const page = await browser.open(`${origin}/upload/fetch.html`);
        const [off] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [PHOTO]), 1);
        assert.deepEqual(off.files[0].bytes, readFileSync(PHOTO), 'the rule set elsewhere was kept');
        await page.close();
      } finally {
        await browser.setSettings(undefined);
      }
    });

    test('recompress mode: smaller, within the maximum size, same name and type, no metadata', async () => {
      await browser.setSettings({ guardMode: 'recompress', quality: 60, maxDimension: 320 });
      try {
        const page = await browser.open(`${web.originA}/upload/fetch.html`);
        const [upload] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [PHOTO]), 1);
        const [file] = upload.files;
        assert.deepEqual([file.name, file.type], ['DSCN0010.jpg', 'image/jpeg']);
        const { path, leaks: found } = judge(file);
        assert.deepEqual(found, []);
        const image = decode(path);
        assert.equal(Math.max(image.width, image.height), 320);
        assert.ok(file.bytes.length < readFileSync(PHOTO).length / 4, `smaller: ${file.bytes.length}`);
      } finally {
        await browser.setSettings(undefined);
      }
    });

    test('recompress mode: an animated GIF arrives as its lossless clean copy, still a GIF with every frame', async () => {
      await browser.setSettings({ guardMode: 'recompress', quality: 60, maxDimension: 320 });
      try {
        const animated = join(corpus, 'mat2/tests/data/dirty.gif');
        const page = await browser.open(`${web.originA}/upload/fetch.html`);
        const [upload] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [animated]), 1);
        const [file] = upload.files;
        assert.deepEqual([file.name, file.type], ['dirty.gif', 'image/gif']);
        const { path, leaks: found } = judge(file);
        assert.deepEqual(found, [], 'no metadata');
        const image = decode(path);
        assert.deepEqual([image.format, image.frames], ['GIF', 8]);
        assert.deepEqual(image.hashes, decode(animated).hashes, 'the same frames, untouched');
      } finally {
        await browser.setSettings(undefined);
      }
    });

    test('recompress mode with "HEIC as JPEG": a HEIC arrives as a clean, upright JPEG named .jpg, and the notice says so', async () => {
      await browser.setSettings({ guardMode: 'recompress', heicToJpeg: true, maxDimension: 1000 });
      try {
        const page = await browser.open(`${web.originA}/upload/fetch.html`);
        const [upload] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [HEIC]), 1);
        const [file] = upload.files;
        assert.deepEqual([file.name, file.type], ['IMG_5195.jpg', 'image/jpeg']);
        const { path, leaks: found } = judge(file);
        assert.deepEqual(found, [], 'no metadata');
        const image = decode(path);
        assert.equal(image.format, 'JPEG');
        // 2566 × 3313 as the iPhone shows it (its grid turned by irot), fitted in 1000 px.
        assert.ok(image.height === 1000 && Math.abs(image.width - 775) <= 1, `${image.width} × ${image.height}`);
        const [notice] = await browser.noticeTexts(page);
        assert.match(notice, /from IMG_5195\.HEIC and sent it as IMG_5195\.jpg before the upload\.$/);
      } finally {
        await browser.setSettings(undefined);
      }
    });

    test('recompress mode with "HEIC as JPEG": a HEIC too large to convert arrives cleaned as HEIC, and the notice says why it is not a JPEG', async () => {
      // The phone photo claiming 12000 × 12000 pixels (its primary item's 'ispe'): cleaning
      // takes it as it is; converting refuses it from that header, before any decode.
      const huge = join(scratch, 'IMG_HUGE.HEIC');
      const bytes = Buffer.from(readFileSync(HEIC));
      const sizes = [];
      for (let at = bytes.indexOf('ispe'); at >= 0; at = bytes.indexOf('ispe', at + 1)) sizes.push(at);
      const primary = sizes.reduce((a, b) => (bytes.readUInt32BE(b + 8) * bytes.readUInt32BE(b + 12) > bytes.readUInt32BE(a + 8) * bytes.readUInt32BE(a + 12) ? b : a));
      bytes.writeUInt32BE(12000, primary + 8);
      bytes.writeUInt32BE(12000, primary + 12);
      writeFileSync(huge, bytes);
      await browser.setSettings({ guardMode: 'recompress', heicToJpeg: true });
      try {
        const page = await browser.open(`${web.originA}/upload/fetch.html`);
        const [upload] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [huge]), 1);
        const [file] = upload.files;
        assert.equal(file.name, 'IMG_HUGE.HEIC');
        const { leaks: found } = judge(file);
        assert.deepEqual(found, [], 'no metadata');
        assert.ok(leaks(huge).length > 0, 'the original carries metadata (the test can fail)');
        const notices = await browser.noticeTexts(page);
        assert.ok(
          notices.some((n) => n === 'Traceless: IMG_HUGE.HEIC was sent as HEIC, with its metadata removed, not as JPEG: The image is too large to process. It is 12000 × 12000 pixels; converting is limited to 100 megapixels (removing metadata works at any size).'),
          notices.join('\n'),
        );
      } finally {
        await browser.setSettings(undefined);
      }
    });

    test('failure policy: a corrupt JPEG is held back; with "send as they are", a TIFF goes through with a notice', async () => {
      const page = await browser.open(`${web.originA}/upload/fetch.html`);
      const [held] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [CORRUPT, TEXT]), 1);
      assert.deepEqual(held.files.map((f) => f.name), ['notes.txt']);
      await browser.setSettings({ passUncleanable: true });
      try {
        const again = await browser.open(`${web.originA}/upload/fetch.html`);
        const [passed] = await uploadsAfter(() => browser.chooseFiles(again, '#file', [TIFF]), 1);
        assert.deepEqual(passed.files[0].bytes, readFileSync(TIFF), 'sent as it is');
        assert.equal(await again.evaluate(() => document.querySelectorAll('traceless-notice').length), 1, 'and the user is told');
      } finally {
        await browser.setSettings(undefined);
      }
    });

    test('the toolbar popup switches the guard off for the current site, and back', async () => {
      const url = `${web.originA}/upload/fetch.html`;
      const page = await browser.open(url);
      const popup = await browser.openExtensionPage(`popup.html?tab=${await browser.tabIdOf(url)}`);
      const status = () => popup.evaluate(() => document.getElementById('site-status').textContent);
      const until = async (text) => {
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline && (await status()) !== text) await new Promise((r) => setTimeout(r, 50));
        assert.equal(await status(), text);
      };
      const choose = (value) => popup.evaluate((v) => {
        const select = document.getElementById('site-mode');
        select.value = v;
        select.dispatchEvent(new Event('change'));
      }, value);
      await until('Here, metadata is removed.');
      await choose('off');
      await until('Here, the guard is off.');
      try {
        const [off] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [PHOTO]), 1);
        assert.deepEqual(off.files[0].bytes, readFileSync(PHOTO), 'off: the original');
        await choose('default');
        await until('Here, metadata is removed.');
        const again = await browser.open(url + '?again');
        const [on] = await uploadsAfter(() => browser.chooseFiles(again, '#file', [PHOTO]), 1);
        assert.deepEqual(judge(on.files[0]).leaks, [], 'back on: cleaned');
      } finally {
        await browser.setSettings(undefined);
      }
    });

    // The page-world script wraps document.write() (the guard comes back the moment a
    // write opens the document); a write the browser ignores must stay ignored.
    test('document.write() from an async script or a module after load is still ignored: the page keeps its content', async () => {
      const page = await browser.open(`${web.originA}/upload/late-write.html`);
      await page.waitForFunction(() => window.writes?.length === 2);
      assert.deepEqual(await page.evaluate(() => [
        document.getElementById('status')?.textContent,
        !!document.getElementById('from-async'),
        !!document.getElementById('from-module'),
      ]), ['waiting', false, false]);
    });

    // The page-world script empties a document before opening it (tests/e2e/hostile/document-open-*.html):
    // only where open() is sure to do so itself.
    test('document.open() as pages use it works as without the extension: a no-op from a script the parser runs, an ad frame written by its page', async () => {
      const page = await browser.open(`${web.originA}/upload/open-as-ever.html`);
      await page.waitForFunction(() => window.outcome !== undefined);
      assert.deepEqual(await page.evaluate(() => window.outcome), { after: 'parsed after the script', ad: 'an ad', takenOut: 0 });
      // Nor is the user warned about it: openings of honest pages are seen by the wrappers (an
      // opening none saw makes the guard warn, since session 45).
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await page.evaluate(() => document.querySelectorAll('traceless-notice').length), 0, 'no notice');
    });

    // The notice says what a photo held ("Removed location…"): words a page must not read.
    // window.find() reaches text even in a closed shadow root, so the words are drawn as
    // CSS generated content, which it does not search.
    test('the page cannot find the notice\'s words with window.find(); a screen reader still gets them', async () => {
      const page = await browser.open(`${web.originA}/upload/fetch.html`);
      // A photo (a notice of what was removed) and a file held back (a notice with a button).
      await uploadsAfter(() => browser.chooseFiles(page, '#file', [PHOTO, TIFF]), 1);
      const deadline = Date.now() + 30000;
      let words;
      while (!(words = (await browser.noticeTexts(page)).find((text) => text.includes('Removed')))) {
        assert.ok(Date.now() < deadline, 'no notice');
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok((await browser.noticeTexts(page)).some((text) => text.includes('Arbitro.tiff')), 'the held-back notice');
      const found = await page.evaluate((phrases) => {
        // The premise, so that the test can fail: find() does reach a closed shadow root's text.
        const host = document.body.appendChild(document.createElement('div'));
        host.attachShadow({ mode: 'closed' }).append('Probe in a closed root');
        const find = (phrase) => {
          getSelection().removeAllRanges();
          return window.find(phrase, false, false, true);
        };
        return { probe: find('Probe in a closed root'), phrases: phrases.map(find) };
      }, ['Removed', 'location', 'Arbitro', 'anyway']);
      assert.ok(words.includes('location'), words);
      assert.deepEqual(found, { probe: true, phrases: [false, false, false, false] });
      // A screen reader still gets the words, and the button's (Chromium's accessibility tree;
      // Firefox's automation has no way to it here).
      if (browser.accessibleNames) {
        const names = await browser.accessibleNames(page);
        assert.ok(names.some((n) => n.includes('Removed') && n.includes('location')), JSON.stringify(names));
        assert.ok(names.some((n) => n.includes('Arbitro.tiff') && n.includes('anyway')), JSON.stringify(names));
      }
    });

    /** The page's next browser dialog: its words, answered yes or no (failing if none comes within 10 s). */
    function nextDialog(page, accept) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no dialog was shown')), 10000);
        page.once('dialog', async (dialog) => {
          clearTimeout(timer);
          const message = dialog.message();
          await (accept ? dialog.accept() : dialog.dismiss());
          resolve(message);
        });
      });
    }

    // The notice's host is in the page, which can hide it or draw over it and so lead a
    // click onto its button unseen: the original goes only once the browser's own dialog,
    // which no page can cover, has been answered yes.
    test('"Upload the original anyway", from the keyboard, asks in the browser\'s dialog: no keeps it back, yes sends it', async () => {
      const page = await browser.open(`${web.originA}/upload/fetch.html`);
      const [first] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [TIFF, PHOTO]), 1);
      assert.deepEqual(first.files.map((f) => f.name), ['DSCN0010.jpg']);
      // The notice's button is the last stop of the page's tab order (it is in a closed shadow root).
      await page.evaluate(() => document.activeElement?.blur());
      await browser.press(page, 'Shift+Tab');
      const site = new URL(web.originA).host;
      const words = `Traceless could not remove the metadata from Arbitro.tiff. Send the original to ${site} anyway, with everything it reveals?`;
      const uploads = web.uploads.length;
      const no = nextDialog(page, false);
      await browser.press(page, 'Enter');
      assert.equal(await no, words);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(web.uploads.length, uploads, 'nothing sent on no');
      assert.equal((await browser.noticeTexts(page)).filter((text) => text.includes('Arbitro.tiff')).length, 1, 'the notice stays');
      // The button still has the focus.
      const yes = nextDialog(page, true);
      const [second] = await uploadsAfter(() => browser.press(page, 'Enter'), 1);
      assert.equal(await yes, words);
      assert.deepEqual(second.files.map((f) => f.name), ['DSCN0010.jpg', 'Arbitro.tiff']);
      assert.deepEqual(judge(second.files[0]).leaks, [], 'the cleaned photo stays cleaned');
      assert.deepEqual(second.files[1].bytes, readFileSync(TIFF), 'the original, as the user chose');
    });

    test('"Upload the original anyway" for a selection the user has since replaced sends nothing', async () => {
      // Read-only review (session 43): the old selection's original joined the new one. (The
      // newer choice is a text file, which brings no notice: the TIFF's button stays last.)
      const page = await browser.open(`${web.originA}/upload/fetch.html`);
      await browser.chooseFiles(page, '#file', [TIFF]);
      for (let i = 0; i < 100 && !(await browser.noticeTexts(page)).some((n) => n.includes('Arbitro.tiff')); i++) await new Promise((r) => setTimeout(r, 50));
      const [newer] = await uploadsAfter(() => browser.chooseFiles(page, '#file', [TEXT]), 1);
      assert.deepEqual(newer.files.map((f) => f.name), ['notes.txt']);
      await page.evaluate(() => document.activeElement?.blur());
      await browser.press(page, 'Shift+Tab');
      const uploads = web.uploads.length;
      const yes = nextDialog(page, true);
      await browser.press(page, 'Enter');
      assert.match(await yes, /Arbitro\.tiff/);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(web.uploads.length, uploads, 'nothing sent: the TIFF was not in this selection');
      assert.deepEqual(await page.evaluate(() => [...document.getElementById('file').files].map((f) => f.name)), ['notes.txt']);
    });

    // The guard answers showOpenFilePicker() through its own chooser: the page gets handles
    // whose getFile() is the cleaned copy (the picker dialog is the browser's file chooser).
    test('showOpenFilePicker(): files read through the picked handles are cleaned', { skip: name !== 'chromium' && 'Chromium only: Firefox has no File System Access API' }, async () => {
      const page = await browser.open(`${web.originA}/upload/fs-access.html`);
      const [upload] = await uploadsAfter(() => browser.chooseViaDialog(page, '#open', [PHOTO]), 1);
      assert.ok(upload.url.endsWith('from=fs-access'));
      assert.deepEqual(upload.files.map((f) => f.name), ['DSCN0010.jpg']);
      assert.deepEqual(judge(upload.files[0]).leaks, []);
      await pageEvent(page, 'got:DSCN0010.jpg|image/jpeg');
      assert.equal(await page.evaluate(() => typeof window.showDirectoryPicker), 'undefined', 'directory handles are withdrawn');
    });

    // Its promise settles once: with a held-back file the guard waits for the user's answer,
    // so that the notice's button can still send the original, and its × rejects it.
    test('showOpenFilePicker(): a held-back file goes only if the user says so; closing the notice is a cancel', { skip: name !== 'chromium' && 'Chromium only: Firefox has no File System Access API' }, async () => {
      const page = await browser.open(`${web.originA}/upload/fs-access.html`);
      const noticeFor = async (on, name) => {
        const deadline = Date.now() + 30000;
        while (!(await browser.noticeTexts(on)).some((text) => text.includes(name))) {
          assert.ok(Date.now() < deadline, `no notice for ${name}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await browser.chooseViaDialog(page, '#open', [TIFF]);
      await noticeFor(page, 'Arbitro.tiff');
      assert.deepEqual(await page.evaluate(() => window.events), [], 'the promise waits');
      // The notice (last in the document) follows the page's one button in the tab order:
      // its ×, then its button.
      await page.focus('#open');
      await browser.press(page, 'Tab');
      await browser.press(page, 'Tab');
      const yes = nextDialog(page, true);
      const [upload] = await uploadsAfter(() => browser.press(page, 'Enter'), 1);
      await yes;
      assert.deepEqual(upload.files[0].bytes, readFileSync(TIFF), 'the original, as the user chose');
      await pageEvent(page, 'got:Arbitro.tiff');

      const again = await browser.open(`${web.originA}/upload/fs-access.html?again`);
      const uploads = web.uploads.length;
      await browser.chooseViaDialog(again, '#open', [TIFF]);
      await noticeFor(again, 'Arbitro.tiff');
      await again.focus('#open');
      await browser.press(again, 'Tab');
      await browser.press(again, 'Enter');
      await pageEvent(again, 'error:AbortError');
      assert.equal(web.uploads.length, uploads, 'nothing sent');
    });

    test('no request left the test web', () => {
      assert.deepEqual(web.outsiders(), []);
    });
  });
}
