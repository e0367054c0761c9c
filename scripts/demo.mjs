// `make run`: the extension on a local demo page. With a display, Chromium opens
// with the extension loaded (right-click the photo); without one, the demo runs
// headless: the real extension cleans a sample photo and says what it removed.
import { TestWeb } from '../tests/e2e/server.mjs';
import { launchChromium } from '../tests/e2e/browsers.mjs';
import { execFileSync } from 'node:child_process';

const web = await new TestWeb().start();
const url = `${web.originA}/index.html`;
const headful = Boolean(process.env.DISPLAY) && !process.env.TRACELESS_HEADLESS;
const browser = await launchChromium(web, { headless: !headful });
try {
  const page = await browser.open(url);
  if (headful) {
    console.log(`Chromium is open on ${url} with Traceless loaded: right-click the photo. Close the window to end.`);
    await new Promise((done) => browser.context.on('close', done));
  } else {
    const srcUrl = await page.evaluate(() => {
      const img = document.querySelector('img');
      img.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true }));
      return img.currentSrc;
    });
    console.log(`No display: running the demo headless on ${url}`);
    console.log(`Right-click -> "Remove metadata and save" on ${srcUrl}`);
    const outcome = await browser.menuClick({ menuItemId: 'traceless:clean', srcUrl, pageUrl: url, frameId: 0 }, url);
    if (!outcome.ok) throw new Error(outcome.message);
    const file = await browser.downloadedFile(outcome.saved.downloadId);
    console.log(`Saved ${file} (${outcome.saved.bytesIn} -> ${outcome.saved.bytesOut} bytes): ${outcome.saved.summary}`);
    for (const item of outcome.saved.removed) console.log(`  removed  ${item}`);
    const left = execFileSync('exiftool', ['-q', '-a', '-G1', file], { encoding: 'utf8' })
      .split('\n').filter((l) => l && !/^\[(System|File|ExifTool|Composite|JFIF)\]/.test(l));
    console.log(`exiftool on the saved copy, beyond file structure:\n${left.map((l) => `  ${l}`).join('\n') || '  nothing'}`);
  }
} finally {
  await browser.close();
  await web.stop();
}
