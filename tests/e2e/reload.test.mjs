// The guard in a tab opened before Traceless was reloaded, as it is on every update
// (and when it is turned off and on), in Chromium and Firefox. Chromium leaves the
// old content script running, cut off from the extension, and starts no new one in
// open tabs: a photo chosen there must be held back, with words that say what to
// do, never passed on. Firefox starts the new one in open tabs: the photo is cleaned.
// Its own file: reloading ends the extension's pages and worker other tests use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROWSERS } from './browsers.mjs';
import { corpus, IMAGES, TestWeb } from './server.mjs';
import { leaks } from './judge.mjs';
import { until } from './page-checks.mjs';

const only = process.env.TRACELESS_BROWSERS?.split(',') ?? Object.keys(BROWSERS);
const PHOTO = join(corpus, IMAGES['photo.jpg']);
const scratch = mkdtempSync(join(tmpdir(), 'traceless-reload-'));

/** Reloads the extension as an update does, and waits for it to be running again. */
async function reloadExtension(browser) {
  if (browser.name === 'chromium') {
    const [worker] = browser.context.serviceWorkers();
    // The worker ends as it reloads: its answer may never come.
    await worker.evaluate(() => chrome.runtime.reload()).catch(() => {});
  } else {
    const page = await browser.openExtensionPage('options.html');
    await page.evaluate(() => void setTimeout(() => browser.runtime.reload(), 50));
  }
}

/**
 * Counts, in `page`, the guard's announcements of itself (rearm-bridge.ts: a content script
 * starting in a page says BRIDGE on its document): Firefox's new guard says it once started.
 */
function countGuardStarts(page) {
  return page.evaluate(() => {
    window.guardStarts = 0;
    document.addEventListener('traceless-rearm-bridge', () => window.guardStarts++);
  });
}

for (const name of only) {
  test(`${name}: a photo chosen in a page opened before Traceless was reloaded never leaves with its metadata`, async () => {
    const web = new TestWeb();
    await web.start();
    const browser = await BROWSERS[name](web);
    try {
      const page = await browser.open(`${web.originA}/upload/fetch.html`);
      await countGuardStarts(page);
      await reloadExtension(browser);
      if (name === 'firefox') await until(page, () => window.guardStarts > 0, undefined, 30000);
      // Chromium starts no new guard: time for the old one to be cut off.
      else await new Promise((r) => setTimeout(r, 2000));
      // The page's own steps that ask the guard first (a script's click on an input, a closed
      // shadow root made) still work: in Firefox the old guard is gone while its page-world
      // wrappers stay, and they threw "out of stack" until the page was reloaded (session 42).
      const steps = await page.evaluate(() => {
        const box = Object.assign(document.createElement('input'), { type: 'checkbox' });
        document.body.append(box);
        const host = document.body.appendChild(document.createElement('div'));
        const out = {};
        try {
          box.click();
          out.clicked = box.checked;
        } catch (e) {
          out.clicked = String(e);
        }
        try {
          out.root = host.attachShadow({ mode: 'closed' }) instanceof ShadowRoot;
        } catch (e) {
          out.root = String(e);
        }
        box.remove();
        host.remove();
        return out;
      });
      assert.deepEqual(steps, { clicked: true, root: true });
      const before = web.uploads.length;
      await browser.chooseFiles(page, '#file', [PHOTO]);
      const deadline = Date.now() + 20000;
      while (web.uploads.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const [upload] = web.uploads.slice(before);
      assert.ok(upload, 'the page sent its form');
      assert.ok(leaks(PHOTO).length > 10, 'the original carries metadata (the test can fail)');
      for (const file of upload.files) {
        const path = join(scratch, `${Date.now()}-${file.name}`);
        writeFileSync(path, file.bytes);
        assert.deepEqual(leaks(path), [], `${file.name} arrived with metadata`);
      }
      const notices = await browser.noticeTexts(page);
      if (name === 'chromium') {
        assert.equal(upload.files.length, 0, 'held back');
        assert.ok(notices.some((n) => /DSCN0010\.jpg was held back: .*reload the page, then try again\./.test(n)), JSON.stringify(notices));
      } else {
        assert.equal(upload.files.length, 1, 'the new guard cleaned it');
        assert.ok(notices.some((n) => /Removed .* from DSCN0010\.jpg before the upload\./.test(n)), JSON.stringify(notices));
      }
    } finally {
      await browser.close();
      await web.stop();
    }
  });
}
