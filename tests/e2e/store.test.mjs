// The store listing's images, taken from the real extension in Chromium: four
// 1280×800 screenshots (the converter after a batch, the report page, the
// settings, the upload guard's notice) and the 440×280 promotional tile. A test
// run writes them under target/store; `make store-assets` writes them into
// docs/store. Each is checked for its size and for what it must show.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BROWSERS } from './browsers.mjs';
import { corpus, IMAGES, root, TestWeb } from './server.mjs';

const dir = process.env.TRACELESS_STORE_ASSETS ?? join(root, 'target', 'store');
mkdirSync(dir, { recursive: true });
const image = (name) => join(corpus, IMAGES[name]);

/** Width and height from a PNG's IHDR. */
function pngSize(path) {
  const png = readFileSync(path);
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

async function until(page, fn, arg, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await page.evaluate(fn, arg)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${fn.toString().slice(0, 120)}`);
}

describe('store assets (Chromium)', { concurrency: false }, () => {
  const web = new TestWeb();
  let browser;

  before(async () => {
    await web.start();
    browser = await BROWSERS.chromium(web);
  });

  after(async () => {
    await browser?.close();
    await web.stop();
  });

  async function capture(page, name, width = 1280, height = 800) {
    const path = join(dir, `${name}.png`);
    await page.setViewportSize({ width, height });
    await page.screenshot({ path, clip: { x: 0, y: 0, width, height } });
    assert.deepEqual(pngSize(path), [width, height], name);
  }

  test('1: the converter after a batch of three photos', async () => {
    const page = await browser.openExtensionPage('converter.html');
    await page.setViewportSize({ width: 1280, height: 800 });
    // Shown once the converter is wired up (its settings read): files chosen before would go nowhere.
    await until(page, () => document.documentElement.classList.contains('shown'));
    await browser.chooseFiles(page, '#file-input', ['photo.jpg', 'rotated.jpg', 'phone.heic'].map(image));
    await until(page, () => document.querySelectorAll('.item').length === 3 && !/Reading/.test(document.body.innerText));
    await page.selectOption('#format', 'webp');
    await page.click('#convert');
    await until(page, () => document.querySelectorAll('.item[data-stage=done]').length === 3);
    await until(page, () => document.getElementById('after').complete && document.getElementById('after').naturalWidth > 0);
    assert.match(await page.evaluate(() => document.getElementById('totals').textContent), /^3 images: .* → .*/);
    await capture(page, 'screenshot-1-converter');
    await page.close();
  });

  test('2: what a photo reveals', async () => {
    const url = `${web.originA}/menu.html`;
    const page = await browser.open(url);
    const srcUrl = await page.evaluate(() => document.getElementById('plain').src);
    assert.equal((await browser.menuClick({ menuItemId: 'traceless:reveal', srcUrl, pageUrl: url, editable: false, frameId: 0 }, url)).ok, true);
    const report = await browser.waitForExtensionPage('report.html');
    await report.waitForSelector('#report:not([hidden])');
    assert.match(await report.evaluate(() => document.body.innerText), /Where it was taken/);
    await capture(report, 'screenshot-2-report');
  });

  test('3: the settings', async () => {
    const options = await browser.openExtensionPage('options.html');
    await options.waitForSelector('#intro');
    await capture(options, 'screenshot-3-settings');
  });

  test('4: the upload guard on a site (Uppy, a real upload library)', async () => {
    const page = await browser.open(`${web.originA}/upload/uppy.html`);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.waitForSelector('.uppy-Dashboard-browse');
    await browser.chooseViaDialog(page, '.uppy-Dashboard-browse', [image('photo.jpg')]);
    await until(page, () => document.querySelector('traceless-notice') !== null, undefined, 30000);
    const notices = await browser.noticeTexts(page);
    assert.ok(notices.some((t) => /DSCN0010\.jpg before the upload\.$/.test(t)), `the notice says what was removed: ${notices}`);
    await until(page, () => document.querySelector('.uppy-Dashboard-Item-previewImg') !== null, undefined, 30000);
    await capture(page, 'screenshot-4-upload-guard');
  });

  test('the 440×280 promotional tile', async () => {
    const icon = readFileSync(join(root, 'icons/icon-128.png')).toString('base64');
    const page = await browser.open(`${web.originA}/menu.html`);
    await page.setContent(`<!doctype html><meta charset="utf-8"><body style="margin:0">
      <div style="width:440px;height:280px;box-sizing:border-box;padding:36px 32px;display:flex;gap:24px;align-items:center;
        font:16px/1.35 system-ui,sans-serif;color:#f5f7fa;background:linear-gradient(135deg,#1d3b53,#2a6f6a)">
        <img src="data:image/png;base64,${icon}" width="112" height="112" alt="">
        <div><div style="font-size:34px;font-weight:700;margin-bottom:10px">Traceless</div>
        <div style="font-size:19px">Photos without their hidden data: location, camera, dates.</div>
        <div style="font-size:15px;margin-top:12px;opacity:.85">Cleaned on your device. Nothing is sent anywhere.</div></div>
      </div></body>`);
    await capture(page, 'promo-tile-440x280', 440, 280);
  });
});
