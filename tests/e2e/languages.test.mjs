// The extension speaks the browser's language: Chromium started in each shipped
// language gives the image menu's words from that language's messages file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './browsers.mjs';
import { root, TestWeb } from './server.mjs';

const web = new TestWeb();
before(() => web.start());
after(() => web.stop());

// Chromium's own names for its interface languages (LANGUAGE); the folders under _locales.
for (const [lang, folder] of [['de', 'de'], ['fr', 'fr'], ['es', 'es'], ['pt_BR', 'pt_BR']]) {
  test(`Chromium in ${folder}: the menu in ${folder}`, async () => {
    const messages = JSON.parse(readFileSync(join(root, 'extension/_locales', folder, 'messages.json'), 'utf8'));
    const browser = await launchChromium(web, { lang });
    try {
      const worker = browser.context.serviceWorkers()[0];
      const said = await worker.evaluate(() => [chrome.i18n.getMessage('menuReveal'), chrome.i18n.getMessage('menuSaveAs', ['JPEG']), chrome.i18n.getMessage('locale')]);
      assert.deepEqual(said, [messages.menuReveal.message, messages.menuSaveAs.message.replace('$FORMAT$', 'JPEG'), messages.locale.message]);
      assert.notEqual(said[0], 'Show what this image reveals', 'not English');
    } finally {
      await browser.close();
    }
  });
}
