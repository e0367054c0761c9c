// What the converter's end-to-end files share: the built extension's converter
// page in each browser, driven as a person would (its own inputs, downloads), and
// what they read off it. The suites are two files (converter.test.mjs: batches,
// estimates, the page; converter-formats.test.mjs: HEIC, AVIF, animations, videos),
// each with its own browser, so that Chromium's two-at-a-time run (test-extension.sh)
// is not left waiting on one long file.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { BROWSERS } from './browsers.mjs';
import { corpus, IMAGES, TestWeb } from './server.mjs';
import { until } from './page-checks.mjs';


export const image = (name) => join(corpus, IMAGES[name]);
/** Real photos of 5 to 12 megapixels: slow enough to cancel mid-batch. */
export const BIG = [
  'ianare-exif-samples/jpg/tests/42_IndexError.jpg',
  'ianare-exif-samples/jpg/hdr/iphone_hdr_NO.jpg',
  'ianare-exif-samples/jpg/hdr/iphone_hdr_YES.jpg',
  'ianare-exif-samples/jpg/mobile/HMD_Nokia_8.3_5G.jpg',
].map((f) => join(corpus, f));

/** The batch: one per container, one with GPS, one turned by EXIF (Rotate 90 CW, 2048 x 1536 stored). */
export const BATCH = ['photo.jpg', 'text.png', 'comment.gif', 'xmp.webp', 'rotated.jpg'];
export const PILLOW = { jpeg: 'JPEG', png: 'PNG', webp: 'WEBP', gif: 'GIF', avif: 'AVIF' };
export const SOURCE_FORMAT = { 'photo.jpg': 'jpeg', 'text.png': 'png', 'comment.gif': 'gif', 'xmp.webp': 'webp', 'rotated.jpg': 'jpeg' };

/** What the page shows for a byte count in English (shared/sizes.ts formatBytes). */
export function formatBytes(n) {
  if (n < 1024) return `${n.toLocaleString('en-GB')} ${n === 1 ? 'byte' : 'bytes'}`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Each row as the user sees it. */
export function rows(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.item')].map((li) => ({
      name: li.querySelector('.name').textContent,
      stage: li.dataset.stage,
      reveals: li.querySelector('.reveals').textContent,
      sizes: li.querySelector('.sizes').textContent,
      after: Number(li.querySelector('.sizes').dataset.after ?? NaN),
      error: li.querySelector('.error').textContent,
    })),
  );
}

/** Sets a form control as a user would (value, then the change event). */
export function setControl(page, id, value) {
  return page.evaluate(({ id, value }) => {
    const control = document.getElementById(id);
    control.value = String(value);
    control.dispatchEvent(new Event('input', { bubbles: true }));
    control.dispatchEvent(new Event('change', { bubbles: true }));
  }, { id, value });
}

export const idle = () =>
  !document.querySelector('.converter').classList.contains('running') &&
  document.querySelectorAll('.item[data-stage=waiting], .item[data-stage=working], .item[data-stage=new]').length === 0;

/**
 * One suite per browser in `browsers`: a test web and a browser with the built extension,
 * started before its tests and closed after them. `tests` defines the tests, given the
 * browser's name, the test web, the browser (`suite.browser`, once started), and helpers
 * that open the converter with files (`converterWith`) and download each row (`downloadEach`).
 */
export function converterSuites(title, browsers, tests) {
  for (const name of browsers) {
    describe(`${title} in ${name}`, { concurrency: false }, () => {
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

      /** `warnings`: an array to collect the page's console warnings in. */
      async function converterWith(files, path = 'converter.html', driver = browser, warnings = undefined) {
        const page = await driver.openExtensionPage(path);
        if (warnings) page.on('console', (message) => message.type().startsWith('warn') && warnings.push(message.text()));
        // Shown once the converter is wired up (its settings read): files chosen before would go nowhere.
        await until(page, () => document.documentElement.classList.contains('shown'));
        await page.evaluate(() => document.getElementById('clear').click());
        if (files.length) await driver.chooseFiles(page, '#file-input', files);
        await until(page, (n) => document.querySelectorAll('.item').length === n && !/Reading/.test(document.body.innerText), files.length);
        return page;
      }

      /** Clicks each row's Download and returns the saved paths, in row order. */
      async function downloadEach(page) {
        const names = await page.evaluate(() =>
          [...document.querySelectorAll('.item')].filter((li) => li.querySelector('.download:not(:disabled)')).map((li) => li.querySelector('.name').textContent));
        const since = Date.now();
        // All at once, as a person clicking down the list (one by one, each waited for,
        // took Firefox a second a file). They may start out of order (Chromium, under
        // load): each is matched to its row by name (the stem stays; the extension may
        // change, and a repeated name gets " (1)").
        await page.evaluate(() => document.querySelectorAll('.item .download:not(:disabled)').forEach((b) => b.click()));
        const files = await browser.downloadsSince(since, names.length);
        // (Characters other systems refuse are replaced in the saved name: names.ts.)
        const stem = (name) => basename(name).replace(/\.[^.]*$/, '').replace(/ ?\(\d+\)$/, '').replace(/[:*?"<>|\\]/g, '_');
        return names.map((name) => {
          const matching = files.filter((f) => stem(f) === stem(name));
          assert.equal(matching.length, 1, `one download for ${name}: ${files.map((f) => basename(f)).join(', ')}`);
          return matching[0];
        });
      }
      tests({ name, web, get browser() { return browser; }, converterWith, downloadEach });
    });
  }
}

/** The popup's own size: browsers cap popups at 800 x 600. */
export async function setViewport(page, width, height) {
  if (page.setViewportSize) await page.setViewportSize({ width, height });
  else await page.setViewport({ width, height });
}
