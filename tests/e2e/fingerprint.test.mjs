// What a page can observe of Traceless (Chromium): the page's view of its own
// world, with and without the extension, and the extension's files a page might
// try to load. The differences that remain are the page-world wrappers the
// upload guard needs; the test pins them, so any new one is noticed (README:
// "What a page can tell").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from './browsers.mjs';
import { TestWeb } from './server.mjs';

const only = process.env.TRACELESS_BROWSERS?.split(',') ?? ['chromium'];

/** The built-ins the page-world script (main-world.ts) replaces or withdraws, by design. */
const WRAPPED = ['click', 'dispatchEvent', 'showDirectoryPicker', 'showOpenFilePicker', 'showPicker'];

describe('what a page can tell about Traceless, in chromium', { skip: !only.includes('chromium') }, () => {
  const web = new TestWeb();
  let plain;
  let withExtension;

  before(async () => {
    await web.start();
    plain = await launchChromium(web, { withExtension: false });
    withExtension = await launchChromium(web);
  });
  after(async () => {
    await plain?.close();
    await withExtension?.close();
    await web.stop();
  });

  async function view(browser) {
    const page = await browser.open(`${web.originA}/probe.html`);
    const before_ = await page.evaluate(() => window.view());
    // A user's click on a file input (chooser answered): the page's view afterwards.
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#file')]);
    await chooser.setFiles([]);
    await page.waitForTimeout(300);
    const after_ = await page.evaluate(() => window.view());
    await page.close();
    return { before: before_, after: after_ };
  }

  test('same globals, same DOM, no frame; only the guard\'s page-world wrappers differ', async () => {
    const a = await view(plain);
    const b = await view(withExtension);
    for (const when of ['before', 'after']) {
      // showDirectoryPicker is withdrawn (its handles would reach originals); nothing else differs.
      assert.ok(a[when].globals.includes('showDirectoryPicker') && !b[when].globals.includes('showDirectoryPicker'));
      assert.deepEqual(b[when].globals, a[when].globals.filter((g) => g !== 'showDirectoryPicker'), `${when}: globals`);
      assert.equal(b[when].nodes, a[when].nodes, `${when}: DOM`);
      assert.equal(b[when].frames, a[when].frames, `${when}: frames`);
      const differing = Object.keys(a[when].functions).filter((k) => a[when].functions[k] !== b[when].functions[k]).sort();
      assert.deepEqual(differing, WRAPPED, `${when}: built-ins that differ`);
    }
  });

  test('no extension file can be loaded by a page', async () => {
    const id = new URL(withExtension.extensionOrigin).host;
    const page = await withExtension.open(`${web.originA}/probe.html`);
    const results = await page.evaluate(async (id) => {
      const out = {};
      for (const path of ['manifest.json', 'engine-frame.html', 'content.js', 'guard-main.js', 'background.js', 'popup.html', 'icons/icon-16.png', 'traceless_wasm_bg.wasm']) {
        out[path] = await fetch(`chrome-extension://${id}/${path}`).then(() => 'loaded', () => 'refused');
        out[`${path} as image`] = await new Promise((resolve) => {
          const img = new Image();
          img.onload = () => resolve('loaded');
          img.onerror = () => resolve('refused');
          img.src = `chrome-extension://${id}/${path}`;
        });
      }
      return out;
    }, id);
    for (const [what, result] of Object.entries(results)) assert.equal(result, 'refused', what);
    await page.close();
  });
});
