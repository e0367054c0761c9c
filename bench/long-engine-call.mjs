// How long an engine call Chromium's background lets run. Chromium stops a service worker
// that leaves its pings unanswered (content/browser/service_worker/
// service_worker_ping_controller.cc) unless DevTools is attached to it, as Playwright
// always is: the end-to-end tests cannot tell. Here the browser is driven by puppeteer-core,
// told not to attach to the worker, and the 48 MP photo (bench/photos.py megapixels) is
// turned into an AVIF, at libaom speeds 6 (about 35 s of work) and 4 (over a minute):
//
//   content script's path  the settings page sends a conversion as the upload guard's
//                          recompress mode does; the service worker reads it and has the
//                          offscreen document's worker convert it (before session 31 the
//                          service worker ran it itself, and a minute's work was stopped)
//   menu's path            "Save as AVIF" (speed 6) on the 96 MP photo (photos.py sized: 20 MB),
//                          started in the service worker by a DevTools session that detaches
//                          at once; the engine runs in the offscreen document's worker
//                          (background/offscreen-engine.ts), and the saved file is waited for
//                          in the downloads folder.
import puppeteer from 'puppeteer-core';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, TestWeb } from '../tests/e2e/server.mjs';

const photo = join(root, 'bench', 'out', 'photos', 'photo-48mp.jpg');
const extension = join(root, 'dist', 'chromium');
const profile = mkdtempSync(join(tmpdir(), 'traceless-long-call-'));
const downloads = mkdtempSync(join(tmpdir(), 'traceless-long-call-downloads-'));
const web = await new TestWeb().start();
const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  protocolTimeout: 600_000,
  userDataDir: profile,
  args: ['--no-sandbox', '--disable-gpu', `--disable-extensions-except=${extension}`, `--load-extension=${extension}`,
    `--proxy-server=http://127.0.0.1:${web.proxyPort}`, '--proxy-bypass-list=<-loopback>'],
  targetFilter: (target) => target.type() !== 'service_worker',
});
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1);

try {
  // The extension opens its settings page on install: an extension page to send from.
  let options;
  for (let i = 0; i < 200 && !options; i++) {
    options = browser.targets().find((t) => /^chrome-extension:\/\/[^/]+\/options\.html/.test(t.url()));
    if (!options) await new Promise((r) => setTimeout(r, 50));
  }
  if (!options) throw new Error('the extension did not open its settings page');
  const page = await options.page();
  // The menu's path.
  const cdp = await browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
  // Wakes the service worker (a message nobody answers), so that it is there to attach to.
  await page.evaluate(() => chrome.runtime.sendMessage({ type: 'wake' }).catch(() => undefined));
  const { targetInfos } = await cdp.send('Target.getTargets');
  const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
  const menuPage = await browser.newPage();
  const url = `${web.originA}/menu.html`;
  await menuPage.goto(url);
  {
    const before = new Set(readdirSync(downloads));
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: true });
    const started = Date.now();
    const info = { menuItemId: 'traceless:save-as:avif', srcUrl: `${web.originA}/bench/photo-20mb.jpg`, pageUrl: url, editable: false, frameId: 0 };
    await cdp.connection().session(sessionId).send('Runtime.evaluate', {
      expression: `chrome.tabs.query({}).then((tabs) => globalThis.traceless.onMenuClick(${JSON.stringify(info)}, tabs.find((t) => t.url === ${JSON.stringify(url)})))`,
    });
    await cdp.send('Target.detachFromTarget', { sessionId });
    let saved;
    while (!saved && Date.now() - started < 400_000) {
      await new Promise((r) => setTimeout(r, 500));
      saved = readdirSync(downloads).find((f) => !before.has(f) && f.endsWith('.avif') && existsSync(join(downloads, f)));
    }
    console.log(saved
      ? `menu's path, 96 MP JPEG -> AVIF: saved after ${seconds(started)} s (${statSync(join(downloads, saved)).size} bytes)`
      : `menu's path, 96 MP JPEG -> AVIF: nothing saved after ${seconds(started)} s`);
  }
  const base64 = readFileSync(photo).toString('base64');
  for (const speed of [6, 4]) {
    const started = Date.now();
    const outcome = await page.evaluate(async (base64, speed) => {
      const input = new Blob([Uint8Array.fromBase64(base64)], { type: 'image/jpeg' });
      try {
        const reply = await chrome.runtime.sendMessage({ type: 'traceless:engine', op: 'convert', input, options: { format: 'avif', quality: 80, avifSpeed: speed } });
        return reply?.ok ? `answered after %s s (engine ${(reply.ms / 1000).toFixed(1)} s)` : `failed after %s s: ${JSON.stringify(reply)}`;
      } catch (error) {
        return `no answer after %s s (${error})`;
      }
    }, base64, speed);
    console.log(`content script's path, 48 MP JPEG -> AVIF at speed ${speed}: ${outcome.replace('%s', seconds(started))}`);
  }

} finally {
  await browser.close();
  await web.stop();
  rmSync(profile, { recursive: true, force: true });
  rmSync(downloads, { recursive: true, force: true });
}
