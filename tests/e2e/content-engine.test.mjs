// The content-script engine in Chromium (runtime messages, structured clones, to
// the engine in the service worker): it cleans bytes exactly as the engine does
// natively, works on a page whose CSP forbids wasm and frames, and adds nothing
// a page can see or load.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { launchChromium } from './browsers.mjs';
import { contentWorld } from './content-world.mjs';
import { corpus, IMAGES, root, TestWeb } from './server.mjs';

const only = process.env.TRACELESS_BROWSERS?.split(',') ?? ['chromium'];

describe('content-script engine in chromium', { skip: !only.includes('chromium') }, () => {
  const web = new TestWeb();
  let browser;

  before(async () => {
    await web.start();
    browser = await launchChromium(web);
  });
  after(async () => {
    await browser?.close();
    await web.stop();
  });

  for (const pageName of ['menu.html', 'strict.html']) {
    test(`cleans byte-identically to the native engine (${pageName})`, async () => {
      const page = await browser.open(`${web.originA}/${pageName}`);
      const run = await contentWorld(browser.context, page);
      const cleaned = await run(async () => {
        const input = new Uint8Array(await (await fetch('/img/photo.jpg')).arrayBuffer());
        const engine = await globalThis.tracelessContentEngine();
        const { data, report } = await engine.clean(input);
        let error;
        try { await engine.clean(new Uint8Array([0xff, 0xd8, 0xff])); } catch (e) { error = { name: e.name, kind: e.kind }; }
        return { base64: data.toBase64(), removed: report.removed.length, error };
      });
      const out = mkdtempSync(join(tmpdir(), 'traceless-native-'));
      // make test builds the debug binary (the same engine code).
      execFileSync(join(root, 'target/debug/traceless'), ['clean', '-o', out, join(corpus, IMAGES['photo.jpg'])]);
      const native = readFileSync(join(out, 'DSCN0010.jpg'));
      assert.ok(cleaned.removed > 10);
      assert.deepEqual(Buffer.from(cleaned.base64, 'base64'), native);
      assert.deepEqual(cleaned.error, { name: 'EngineError', kind: 'corrupt' });
      await page.close();
    });
  }

  test('using the engine adds nothing to the page, and the extension has no resource a page can load', async () => {
    const page = await browser.open(`${web.originA}/menu.html`);
    const before = await page.evaluate(() => ({ nodes: document.querySelectorAll('*').length, frames: window.length }));
    const run = await contentWorld(browser.context, page);
    await run(async () => {
      const engine = await globalThis.tracelessContentEngine();
      await engine.clean(new Uint8Array(await (await fetch('/img/photo.jpg')).arrayBuffer()));
    });
    const after_ = await page.evaluate(() => ({ nodes: document.querySelectorAll('*').length, frames: window.length }));
    assert.deepEqual(after_, before, 'no element, no frame');
    const id = new URL(browser.extensionOrigin).host;
    const loads = await page.evaluate(async (id) => {
      const results = {};
      for (const path of ['engine-frame.html', 'manifest.json', 'content.js', 'guard-main.js', 'background.js', 'icons/icon-16.png']) {
        results[path] = await fetch(`chrome-extension://${id}/${path}`).then(() => 'loaded', () => 'refused');
      }
      return results;
    }, id);
    for (const [path, result] of Object.entries(loads)) assert.equal(result, 'refused', path);
  });
});
