// The pseudo-locale: the built extension with every English message made 40%
// longer and accented ("Convert" becomes "[Çöñṽéŕţ ···]"), run in Chromium. Long
// words must not break the converter or the settings: no sideways scrolling, no
// control drawn over another, no layout jumps, no axe violation. And since every
// letter of a message is accented, a plain English word left on screen is a string
// that does not come from _locales.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { launchChromium } from './browsers.mjs';
import { corpus, IMAGES, root, TestWeb } from './server.mjs';
import { accessibilityViolations, layoutFaults, until } from './page-checks.mjs';

const ACCENTED = Object.fromEntries(
  [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c, i) => [c, [...'åƀçðéƒĝĥîĵķļḿñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻḾÑÖÞǪŔŠŢÛṼŴẊÝŽ'][i]]),
);

/** A message 40% longer and accented, its $PLACEHOLDERS$ and URLs left as they are. */
function pseudo(message) {
  const accented = message
    .split(/(\$[A-Za-z0-9_@]+\$|https?:\/\/\S+)/)
    .map((part, i) => (i % 2 ? part : [...part].map((c) => ACCENTED[c] ?? c).join('')))
    .join('');
  const extra = Math.ceil(message.length * 0.4);
  // Padding in short words, so it wraps as real text does.
  const padding = Array.from({ length: Math.ceil(extra / 4) }, () => '···').join(' ');
  return `[${accented} ${padding}]`;
}

/** The built Chromium extension, with its English messages made pseudo (and only English left). */
function pseudoExtension() {
  const dir = mkdtempSync(join(tmpdir(), 'traceless-pseudo-'));
  cpSync(join(root, 'dist', 'chromium'), dir, { recursive: true });
  const file = join(dir, '_locales', 'en', 'messages.json');
  const messages = JSON.parse(readFileSync(file, 'utf8'));
  for (const [key, entry] of Object.entries(messages)) {
    // Not words: the language tag, and the privacy page's file name.
    if (key !== 'locale' && key !== 'privacyPage') entry.message = pseudo(entry.message);
  }
  writeFileSync(file, JSON.stringify(messages));
  for (const locale of ['de', 'fr', 'es', 'pt_BR']) rmSync(join(dir, '_locales', locale), { recursive: true });
  return dir;
}

/**
 * Plain English words on screen: runs of 3+ unaccented letters in the page's visible
 * text (what `ignore` names aside: file names, format names).
 */
function englishLeft(page, ignore) {
  return page.evaluate((ignore) => {
    let text = document.body.innerText;
    for (const word of ignore) text = text.split(word).join(' ');
    return [...new Set(text.match(/\b[A-Za-z]{3,}\b/g) ?? [])];
  }, ignore);
}

/** For a person to look at (target/screenshots): the README shows real languages. */
function screenshot(name) {
  mkdirSync(join(root, 'target', 'screenshots'), { recursive: true });
  return join(root, 'target', 'screenshots', `${name}.png`);
}

const FILES = ['photo.jpg', 'rotated.jpg', 'text.png', 'phone.heic'].map((f) => join(corpus, IMAGES[f]));
/** What the converter shows that is data, not words. */
const DATA = [...FILES.map((f) => basename(f)), 'JPEG', 'PNG', 'WebP', 'GIF', 'HEIC', 'AVIF', 'MP4', 'MOV', 'sRGB', 'Traceless', 'https://example.com'];

describe('pseudo-locale (Chromium)', { concurrency: false }, () => {
  const web = new TestWeb();
  let browser;
  let dir;

  before(async () => {
    await web.start();
    dir = pseudoExtension();
    browser = await launchChromium(web, { extension: dir });
  });

  after(async () => {
    await browser?.close();
    await web.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [path, width] of [['converter.html', 1000], ['popup.html', 440]]) {
    test(`${path} at ${width}px: long words fit, nothing jumps, nothing is left in English, axe passes`, async () => {
      const page = await browser.openExtensionPage(path);
      await page.setViewportSize({ width, height: 800 });
      await until(page, () => document.getElementById('convert')?.textContent);
      await page.evaluate(() => {
        window.shifts = [];
        const name = (node) => (node ? `${node.nodeName}${node.id ? `#${node.id}` : ''}${node.className ? `.${String(node.className).split(' ')[0]}` : ''}` : '?');
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) {
            if (!e.hadRecentInput) window.shifts.push({ value: e.value, at: Math.round(e.startTime), what: e.sources.map((s) => name(s.node)).join(', ') });
          }
        }).observe({ type: 'layout-shift', buffered: true });
      });
      await browser.chooseFiles(page, '#file-input', FILES);
      await until(page, (n) => document.querySelectorAll('.item').length === n && !document.querySelector('.item .reveals:empty'), FILES.length);
      // Unfolded by a click, as a person does: a shift within 500 ms of an input is not a jump.
      // (Set from script, it counted as one whenever the files took longer than that to list
      // after the chooser's click: 0.203 on a loaded machine.)
      if (!(await page.evaluate(() => document.getElementById('choices').open))) await page.click('#choices > summary');
      await page.evaluate(() => {
        const format = document.getElementById('format');
        format.value = 'webp';
        format.dispatchEvent(new Event('change', { bubbles: true }));
      });
      await page.click('#convert');
      await until(page, () => document.querySelectorAll('.item[data-stage=done]').length === 4);
      await until(page, () => document.getElementById('after').complete && document.getElementById('after').naturalWidth > 0);
      await new Promise((r) => setTimeout(r, 500));
      await page.screenshot({ path: screenshot(`pseudo-${basename(path, '.html')}`), fullPage: true });

      const shifts = await page.evaluate(() => window.shifts);
      const cls = shifts.reduce((sum, s) => sum + s.value, 0);
      assert.ok(cls < 0.02, `cumulative layout shift ${cls.toFixed(3)}: ${JSON.stringify(shifts)}`);
      assert.deepEqual(await layoutFaults(page), []);
      assert.deepEqual(await englishLeft(page, DATA), []);
      assert.match(await page.evaluate(() => document.getElementById('convert').textContent), /^\[Çöñṽéŕţ/, 'the pseudo messages are in use');
      assert.deepEqual(await accessibilityViolations(page), []);
      await page.close();
    });
  }

  test('settings: long words fit, nothing is left in English, axe passes', async () => {
    const page = await browser.openExtensionPage('options.html');
    await until(page, () => document.getElementById('intro')?.textContent);
    // A per-site rule, so its line and button are drawn too.
    await page.fill('#site-origin', 'https://example.com');
    await page.click('#site-add');
    await page.screenshot({ path: screenshot('pseudo-settings'), fullPage: true });
    assert.deepEqual(await layoutFaults(page), []);
    assert.deepEqual(await englishLeft(page, DATA), []);
    assert.deepEqual(await accessibilityViolations(page), []);
    await page.close();
  });
});
