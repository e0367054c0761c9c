// The upload guard when a page (or a user) floods it: a thousand photos in one
// selection, a 1 GB file, a decompression bomb in recompress mode, and a new
// selection while the previous one is still being cleaned. The guard must stay
// correct (every image cleaned or held back, never an original), not read what it
// cannot clean, and keep the page's own thread free. Times and the page's longest
// task are printed (measured, not asserted: see README "Floods").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { pngChunk, pngFile, pngHeader } from './pngs.mjs';
import { execFileSync } from 'node:child_process';
import { BROWSERS } from './browsers.mjs';
import { corpus, TestWeb } from './server.mjs';
import { leaks } from './judge.mjs';
import { sampleMemory } from './memory.mjs';

const only = process.env.TRACELESS_BROWSERS?.split(',') ?? Object.keys(BROWSERS);
const scratch = mkdtempSync(join(tmpdir(), 'traceless-flood-'));
const GPS = join(corpus, 'exiftool/t/images/GPS.jpg');
const MANY = Array.from({ length: 1000 }, (_, i) => {
  const path = join(scratch, `photo-${String(i).padStart(4, '0')}.jpg`);
  copyFileSync(GPS, path);
  return path;
});
/** Bytes only the original's metadata holds (its GPS IFD and IPTC byline). */
const MARKERS = ['Ian Britton', 'FreeFoto.com'].map((s) => Buffer.from(s));

/** A PNG that says it is 100000 x 100000 pixels: tiny on disk, 40 GB decoded. */
function bomb() {
  const text = Buffer.from('Author\0Someone who wrote a bomb', 'latin1');
  const path = join(scratch, 'bomb.png');
  writeFileSync(path, pngFile(pngHeader(100000, 100000, 2), pngChunk('tEXt', text), pngChunk('IDAT', deflateSync(Buffer.alloc(1000)))));
  return path;
}

/** A PNG of random RGB pixels (incompressible, stored), with a tEXt chunk. */
function noisePng(width, height, text) {
  const rows = randomBytes((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) rows[y * (width * 3 + 1)] = 0; // filter type: none
  const path = join(scratch, 'big.png');
  writeFileSync(path, pngFile(
    pngHeader(width, height, 2), pngChunk('tEXt', Buffer.from(text, 'latin1')), pngChunk('IDAT', deflateSync(rows, { level: 0 })),
  ));
  return path;
}

after(() => rmSync(scratch, { recursive: true, force: true }));

for (const name of only) {
  describe(`the guard under a flood in ${name}`, { concurrency: false }, () => {
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

    async function floodUploads(since, count, timeoutMs = 120000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const got = web.uploads.slice(since).filter((u) => u.url.includes('from=flood'));
        if (got.length >= count) return got;
        await new Promise((r) => setTimeout(r, 100));
      }
      return web.uploads.slice(since).filter((u) => u.url.includes('from=flood'));
    }

    /** Collects the notice texts the page shows until stop() (which resolves to them, each once). */
    function watchNotices(page) {
      const seen = new Set();
      let stopped = false;
      const looking = (async () => {
        while (!stopped) {
          for (const text of await browser.noticeTexts(page).catch(() => [])) seen.add(text);
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      return { stop: async () => { stopped = true; await looking; return [...seen]; } };
    }

    /** Where a selection that never arrived stopped: the page's view, the proxy's, the server's. */
    async function whereItStopped(page) {
      const state = await page.evaluate(() => ({
        changes: window.changes,
        sent: window.sent,
        files: document.getElementById('file').files.length,
        notice: document.body.innerText.slice(0, 300),
      })).catch((e) => `the page did not answer: ${e.message}`);
      const seen = web.requests.filter((r) => r.url.includes('from=flood')).map((r) => `${r.method} via ${r.via}`);
      const arriving = [...web.receiving].filter((r) => r.url.includes('from=flood'));
      return `the page: ${JSON.stringify(state)}; the proxy saw: ${JSON.stringify(seen)}; the server was still receiving: ${JSON.stringify(arriving)}; trouble: ${JSON.stringify(web.trouble)}`;
    }

    test('a thousand photos in one selection: every one cleaned, the page stays free', async () => {
      let page = await browser.open(`${web.originA}/upload/flood.html`);
      await new Promise((r) => setTimeout(r, 500)); // the page settles before measuring
      await page.evaluate(() => window.resetStall());
      let since = web.uploads.length;
      const memory = sampleMemory(browser.pid);
      let started = Date.now();
      await browser.chooseFiles(page, '#file', MANY);
      let watch = watchNotices(page);
      let [upload] = await floodUploads(since, 1);
      let seconds = (Date.now() - started) / 1000;
      const { before, peak, growth } = memory.stop();
      if (!upload) {
        // Firefox, about once in 25 runs of this file (twice in CI): the page got its
        // thousand cleaned files, but its fetch of them never settled. Not explained yet
        // (README, "Floods"): said here, and tried once more in a new page.
        const first = await whereItStopped(page);
        console.log(`# ${name}: the first selection's upload did not arrive within 120 s (${first}); trying again in a new page`);
        await page.close();
        page = await browser.open(`${web.originA}/upload/flood.html`);
        since = web.uploads.length;
        started = Date.now();
        await watch.stop();
        await browser.chooseFiles(page, '#file', MANY);
        watch = watchNotices(page);
        [upload] = await floodUploads(since, 1);
        seconds = (Date.now() - started) / 1000;
        if (!upload) assert.fail(`the selection did not arrive within 120 s, twice; first ${first}; then ${await whereItStopped(page)}`);
      }
      assert.equal(upload.files.length, 1000);
      // The page waited seconds for its files: the user saw that the guard was at work, and how far.
      // (Shown after a second, redrawn five times a second, looked for five times a second: a
      // machine that cleans the thousand in under 2.5 s may finish before it is seen.)
      const seen = await watch.stop();
      const working = /^Traceless: Removing hidden data from 1,000 files before the upload \((\d[\d,]*) done\)… \d+ sec$/;
      const counts = seen.flatMap((text) => working.exec(text)?.[1] ?? []).map((n) => Number(n.replace(/,/g, '')));
      if (seconds > 2.5) {
        assert.ok(counts.length > 0, `a working notice while the thousand were cleaned: ${JSON.stringify(seen.slice(0, 5))}`);
        assert.ok(counts.some((n) => n > 0 && n < 1000), `it counts the files done: ${JSON.stringify(counts)}`);
      }
      const now = await browser.noticeTexts(page);
      assert.ok(!now.some((text) => working.test(text)), `the working notice goes when the files are delivered: ${JSON.stringify(now)}`);
      for (const file of upload.files) {
        for (const marker of MARKERS) assert.equal(file.bytes.indexOf(marker), -1, `${file.name} holds original metadata`);
      }
      const sample = join(scratch, 'sample.jpg');
      writeFileSync(sample, upload.files[500].bytes);
      assert.deepEqual(leaks(sample), []);
      assert.ok(MARKERS.every((m) => readFileSync(GPS).indexOf(m) >= 0), 'the original holds the markers (the test can fail)');
      const { longtasks, stall } = await page.evaluate(() => ({ longtasks: window.longtasks, stall: window.stall }));
      assert.ok(before > 50, `the memory sampler sees the browser (${before.toFixed(0)} MiB)`);
      console.log(`# ${name}: 1000 photos (${(readFileSync(GPS).length / 1024).toFixed(1)} KB each) cleaned in ${seconds.toFixed(1)} s; ` +
        `page long tasks: ${longtasks === null ? 'not observable' : longtasks.length ? `${longtasks.length}, longest ${Math.max(...longtasks)} ms` : 'none'}; ` +
        `longest stall of the page's 10 ms timer: ${stall} ms; browser memory (PSS, all processes): ${before.toFixed(0)} MiB before, ` +
        `peak ${peak.toFixed(0)} MiB (+${growth.toFixed(0)} MiB)`);
      await page.close();
    });

    test('a new selection while the last is still being cleaned: the page gets the new one only', async () => {
      const page = await browser.open(`${web.originA}/upload/flood.html`);
      const since = web.uploads.length;
      await browser.chooseFiles(page, '#file', MANY);
      await browser.chooseFiles(page, '#file', [GPS]);
      const [upload] = await floodUploads(since, 1);
      await new Promise((r) => setTimeout(r, 3000)); // the thousand finish meanwhile, and must not follow
      const uploads = web.uploads.slice(since).filter((u) => u.url.includes('from=flood'));
      assert.deepEqual(uploads.map((u) => u.files.length), [1], 'one change, for the newest selection');
      assert.deepEqual(upload.files.map((f) => f.name), ['GPS.jpg']);
      assert.ok(MARKERS.every((m) => upload.files[0].bytes.indexOf(m) < 0));
      assert.deepEqual(await page.evaluate(() => window.changes), [1]);
      await page.close();
    });

    test('a 1 GB file named .jpg is held back unread, at once', async () => {
      const huge = join(scratch, 'huge.jpg');
      writeFileSync(huge, Buffer.from([0xff, 0xd8, 0xff, 0xe1]));
      execFileSync('truncate', ['-s', '1G', huge]);
      const page = await browser.open(`${web.originA}/upload/flood.html`);
      const since = web.uploads.length;
      const started = Date.now();
      await browser.chooseFiles(page, '#file', [huge, GPS]);
      const [upload] = await floodUploads(since, 1);
      console.log(`# ${name}: a 1 GB file held back and the rest delivered in ${Date.now() - started} ms`);
      assert.deepEqual(upload.files.map((f) => f.name), ['GPS.jpg'], 'the 1 GB file never left');
      assert.equal(await page.evaluate(() => document.querySelectorAll('traceless-notice').length) >= 1, true, 'the user is told');
      await page.close();
      rmSync(huge);
    });

    test('a 66 MB photo goes through the guard whole and cleaned', async () => {
      // Bytes travel between the page's content script and the engine as Blobs;
      // this is a file well over the 64 MiB that byte arrays could carry.
      const path = noisePng(4700, 4700, 'Author\0Someone with a big camera');
      const page = await browser.open(`${web.originA}/upload/flood.html`);
      const since = web.uploads.length;
      const started = Date.now();
      await browser.chooseFiles(page, '#file', [path]);
      const [upload] = await floodUploads(since, 1);
      console.log(`# ${name}: a ${(statSync(path).size / 1e6).toFixed(1)} MB PNG cleaned and delivered in ${Date.now() - started} ms`);
      assert.deepEqual(upload.files.map((f) => f.name), ['big.png']);
      const sent = upload.files[0].bytes;
      const original = readFileSync(path);
      assert.equal(sent.indexOf(Buffer.from('Someone with a big camera')), -1, 'its text chunk is gone');
      assert.ok(sent.length > 66e6 && original.length - sent.length < 100, `${sent.length} bytes arrived of ${original.length}`);
      // The pixels are the original's: the image data chunk arrived byte for byte.
      const idat = original.indexOf(Buffer.from('IDAT')) - 4;
      assert.equal(Buffer.compare(sent.subarray(sent.indexOf(Buffer.from('IDAT')) - 4), original.subarray(idat)), 0);
      await page.close();
      rmSync(path);
    });

    test('a decompression bomb in recompress mode: sent as its lossless cleaned copy, nothing decoded', async () => {
      const path = bomb();
      await browser.setSettings({ guardMode: 'recompress' });
      try {
        const page = await browser.open(`${web.originA}/upload/flood.html`);
        const since = web.uploads.length;
        const started = Date.now();
        await browser.chooseFiles(page, '#file', [path]);
        const [upload] = await floodUploads(since, 1);
        console.log(`# ${name}: a 100000x100000 PNG bomb cleaned (not decoded) in ${Date.now() - started} ms`);
        assert.deepEqual(upload.files.map((f) => f.name), ['bomb.png']);
        assert.equal(upload.files[0].bytes.indexOf(Buffer.from('Someone who wrote a bomb')), -1, 'its text chunk is gone');
        await page.close();
      } finally {
        await browser.setSettings(undefined);
      }
    });
  });
}

