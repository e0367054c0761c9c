// The content-script engine (engine frame + MessagePort) in Chromium: it cleans
// bytes exactly as the engine does natively, works on a page whose CSP forbids
// wasm and frames, stays invisible to the page, and serves no page script.
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

  test('the page cannot see the frame nor use the engine', async () => {
    const page = await browser.open(`${web.originA}/menu.html`);
    const run = await contentWorld(browser.context, page);
    await run(async () => { await globalThis.tracelessContentEngine(); });
    const seen = await page.evaluate(async () => {
      const iframes = document.querySelectorAll('iframe').length; // the test page's own iframe only
      const host = document.querySelector('traceless-engine');
      const shadow = host?.shadowRoot ?? null;
      // Try the engine frame directly, as a hostile page would: window.frames reaches it.
      const answers = [];
      for (let i = 0; i < window.frames.length; i++) {
        const channel = new MessageChannel();
        channel.port1.onmessage = (e) => answers.push(e.data);
        window.frames[i].postMessage({ type: 'traceless:connect', token: 'guess-guess-guess-guess' }, '*', [channel.port2]);
      }
      await new Promise((r) => setTimeout(r, 1000));
      return { iframes, hostFound: !!host, shadow, answers };
    });
    assert.equal(seen.iframes, 1);
    assert.equal(seen.shadow, null, 'closed shadow root');
    assert.deepEqual(seen.answers, [], 'no page script is served');
  });
});
