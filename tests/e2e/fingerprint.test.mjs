// What a page can observe of Traceless, in both browsers: the page's view of its
// own world with and without the extension, the extension's files a page might
// try to load, and how long the calls the guard wraps take. The differences that
// remain are the page-world wrappers the upload guard needs; the test pins them,
// so any new one is noticed (README: "What a page can tell"). Timings are
// printed, not asserted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS } from './browsers.mjs';
import { TestWeb } from './server.mjs';

const only = process.env.TRACELESS_BROWSERS?.split(',') ?? Object.keys(BROWSERS);

/**
 * The built-ins the page-world script (main-world.ts) replaces or withdraws, by
 * design, where the browser has them (Firefox has no File System Access API).
 */
const SHARED = ['Document.close', 'Document.open', 'Document.write', 'Document.writeln', 'Element.attachShadow', 'ElementInternals.shadowRoot', 'EventTarget.addEventListener', 'EventTarget.dispatchEvent', 'EventTarget.removeEventListener', 'HTMLElement.click', 'HTMLInputElement.showPicker'];
const WRAPPED = {
  // Chromium alone gives a replayed drop's files no entry (main-world.ts, 4).
  chromium: [...SHARED, 'DataTransferItem.webkitGetAsEntry', 'window.showDirectoryPicker', 'window.showOpenFilePicker'].sort(),
  firefox: SHARED,
};
/** Globals the extension takes away: showDirectoryPicker (its handles would reach originals). */
const WITHDRAWN = { chromium: ['showDirectoryPicker'], firefox: [] };

for (const name of only) {
  describe(`what a page can tell about Traceless, in ${name}`, { concurrency: false }, () => {
    const web = new TestWeb();
    let plain;
    let withExtension;

    before(async () => {
      await web.start();
      plain = await BROWSERS[name](web, { withExtension: false });
      withExtension = await BROWSERS[name](web);
    });
    after(async () => {
      await plain?.close();
      await withExtension?.close();
      await web.stop();
    });

    async function view(browser) {
      const page = await browser.open(`${web.originA}/probe.html`);
      const before_ = await page.evaluate(() => window.view());
      // A user's click on a file input (chooser answered with nothing): the page's view afterwards.
      await browser.chooseViaDialog(page, '#file', []);
      await new Promise((r) => setTimeout(r, 300));
      const after_ = await page.evaluate(() => window.view());
      await page.close();
      return { before: before_, after: after_ };
    }

    test('same globals, same DOM, no frame; only the guard\'s page-world wrappers differ', async () => {
      const a = await view(plain);
      const b = await view(withExtension);
      for (const when of ['before', 'after']) {
        for (const gone of WITHDRAWN[name]) assert.ok(a[when].globals.includes(gone) && !b[when].globals.includes(gone), gone);
        assert.deepEqual(b[when].globals, a[when].globals.filter((g) => !WITHDRAWN[name].includes(g)), `${when}: globals`);
        assert.equal(b[when].nodes, a[when].nodes, `${when}: DOM`);
        assert.equal(b[when].frames, a[when].frames, `${when}: frames`);
        // The guard's re-arming after document.open() and its steps around an opening, which
        // every realm's open() must find.
        assert.deepEqual(b[when].documentKeys, [...a[when].documentKeys, 'Symbol(traceless.opening)', 'Symbol(traceless.rearm)'].sort(), `${when}: the document's own keys`);
        const keys = new Set([...Object.keys(a[when].functions), ...Object.keys(b[when].functions)]);
        const differing = [...keys].filter((k) => a[when].functions[k] !== b[when].functions[k]).sort();
        assert.deepEqual(differing, WRAPPED[name], `${when}: built-ins that differ`);
      }
    });

    test('no extension file can be loaded by a page', async () => {
      const origin = withExtension.extensionOrigin;
      assert.ok(origin, 'the extension is installed');
      const page = await withExtension.open(`${web.originA}/probe.html`);
      const results = await page.evaluate(async (origin) => {
        const out = {};
        for (const path of ['manifest.json', 'engine-frame.html', 'content.js', 'guard-main.js', 'background.js', 'popup.html', 'icons/icon-16.png', 'traceless_wasm_bg.wasm']) {
          out[path] = await fetch(`${origin}/${path}`).then(() => 'loaded', () => 'refused');
          out[`${path} as image`] = await new Promise((resolve) => {
            const img = new Image();
            img.onload = () => resolve('loaded');
            img.onerror = () => resolve('refused');
            img.src = `${origin}/${path}`;
          });
        }
        return out;
      }, origin);
      for (const [what, result] of Object.entries(results)) assert.equal(result, 'refused', what);
      await page.close();
    });

    test('the timing of input.files and of the wrapped calls, with and without the extension', async () => {
      const timings = [];
      for (const browser of [plain, withExtension]) {
        const page = await browser.open(`${web.originA}/probe.html`);
        timings.push(await page.evaluate(() => window.timing()));
        await page.close();
      }
      const [a, b] = timings;
      for (const key of Object.keys(a)) assert.ok(a[key] > 0 && b[key] > 0, `${key} measured`);
      console.log(`# ${name}: ns per call without / with Traceless: ` +
        Object.keys(a).map((k) => `${k} ${a[k]} / ${b[k]}`).join(', '));
    });
  });
}
