// The extension speaks the browser's language: Chromium started in each shipped
// language gives the image menu, the converter, the report and the settings in that language's
// words, with nothing left in English and nothing spilling out of its box. The
// converter and the settings are photographed in each (the README shows German).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './browsers.mjs';
import { accessibilityViolations, layoutFaults, until } from './page-checks.mjs';
import { corpus, IMAGES, root, TestWeb } from './server.mjs';
import { shot } from './shots.mjs';

const web = new TestWeb();
before(() => web.start());
after(() => web.stop());

const messagesOf = (folder) => JSON.parse(readFileSync(join(root, 'extension/_locales', folder, 'messages.json'), 'utf8'));
const english = messagesOf('en');
const FILES = ['photo.jpg', 'rotated.jpg', 'phone.heic'].map((f) => join(corpus, IMAGES[f]));

/** German is the README's (`make screenshots` refreshes it there); the others stay under target/. */
function screenshotPath(name, folder) {
  if (folder === 'de') return shot(name);
  mkdirSync(join(root, 'target', 'screenshots'), { recursive: true });
  return join(root, 'target', 'screenshots', `${name}.png`);
}

/** English messages on screen that the language says otherwise (sentences, not names like "JPEG"). */
function englishOnScreen(page, messages) {
  const left = Object.entries(english)
    .filter(([key, e]) => e.message.length >= 12 && !e.message.includes('$') && messages[key] && messages[key].message !== e.message)
    .map(([, e]) => e.message);
  return page.evaluate((left) => left.filter((m) => document.body.innerText.includes(m)), left);
}

// Chromium's own names for its interface languages (LANGUAGE); the folders under _locales.
for (const [lang, folder] of [['de', 'de'], ['fr', 'fr'], ['es', 'es'], ['pt_BR', 'pt_BR']]) {
  test(`Chromium in ${folder}: the menu, the converter and the settings in ${folder}`, async () => {
    const messages = messagesOf(folder);
    const browser = await launchChromium(web, { lang });
    try {
      const worker = browser.context.serviceWorkers()[0];
      const said = await worker.evaluate(() => [chrome.i18n.getMessage('menuReveal'), chrome.i18n.getMessage('menuSaveAs', ['JPEG']), chrome.i18n.getMessage('locale')]);
      assert.deepEqual(said, [messages.menuReveal.message, messages.menuSaveAs.message.replace('$FORMAT$', 'JPEG'), messages.locale.message]);
      assert.notEqual(said[0], english.menuReveal.message, 'not English');

      const page = await browser.openExtensionPage('converter.html');
      await until(page, () => document.documentElement.classList.contains('shown'));
      assert.equal(await page.evaluate(() => document.documentElement.lang), messages.locale.message);
      await browser.chooseFiles(page, '#file-input', FILES);
      await until(page, (n) => document.querySelectorAll('.item').length === n && !document.querySelector('.item .reveals:empty'), FILES.length);
      await page.evaluate(() => {
        const format = document.getElementById('format');
        format.value = 'webp';
        format.dispatchEvent(new Event('change', { bubbles: true }));
      });
      await page.click('#convert');
      await until(page, (n) => document.querySelectorAll('.item[data-stage=done]').length === n, FILES.length);
      await until(page, () => document.getElementById('after').complete && document.getElementById('after').naturalWidth > 0);
      await page.screenshot({ path: screenshotPath(`converter-${folder}`, folder), fullPage: true });
      assert.equal(await page.evaluate(() => document.getElementById('convert').textContent), messages.converterConvert.message);
      assert.deepEqual(await englishOnScreen(page, messages), [], 'converter');
      assert.deepEqual(await layoutFaults(page), [], 'converter');
      assert.deepEqual(await accessibilityViolations(page), [], 'converter');
      await page.close();

      // What a GPS photo reveals: headings, field names and the engine's worded values.
      // Opened as the menu opens it: the image named by an id, kept in storage.session.
      await browser.normalRun(
        (srcUrl) => (globalThis.browser ?? globalThis.chrome).storage.session.set({ 'report:languages': { srcUrl } }),
        `${web.originA}/img/photo.jpg`,
      );
      const report = await browser.openExtensionPage('report.html#stored=languages');
      await report.waitForSelector('#report:not([hidden])');
      const reportText = await report.evaluate(() => document.body.innerText);
      for (const key of ['categoryLocation', 'categoryTime', 'fieldCameraModel', 'fieldDateTaken', 'reportSaveClean']) {
        assert.ok(reportText.includes(messages[key].message), `report: ${key} "${messages[key].message}"`);
      }
      assert.deepEqual(await englishOnScreen(report, messages), [], 'report');
      assert.deepEqual(await layoutFaults(report), [], 'report');
      await report.screenshot({ path: screenshotPath(`report-${folder}`, folder), fullPage: true });
      await report.close();

      const settings = await browser.openExtensionPage('options.html');
      await until(settings, () => document.documentElement.classList.contains('shown'));
      await settings.screenshot({ path: screenshotPath(`settings-${folder}`, folder), fullPage: true });
      assert.equal(await settings.evaluate(() => document.getElementById('intro').textContent), messages.settingsIntro.message);
      assert.equal(await settings.evaluate(() => document.querySelector('a[target=_blank][href^=privacy]').getAttribute('href')), `privacy-${folder}.html`);
      assert.deepEqual(await englishOnScreen(settings, messages), [], 'settings');
      assert.deepEqual(await layoutFaults(settings), [], 'settings');
      // The policy in this language, built from docs/privacy.
      const policy = await browser.openExtensionPage(`privacy-${folder}.html`);
      assert.equal(await policy.evaluate(() => document.documentElement.lang), messages.locale.message);
      await policy.close();
      await settings.close();
    } finally {
      await browser.close();
    }
  });
}
