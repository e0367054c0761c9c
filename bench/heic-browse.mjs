// Memory while a person clicks through a batch of HEICs in the converter, in
// Chromium and Firefox: each selected HEIC is shown by an engine-made copy (no
// browser shows HEIC), and what the page keeps of the ones looked at before must
// stay bounded however many there are. The batch is COUNT copies of the corpus's
// 12 MP iPhone 13 Pro Max photo (each its own file, so each is decoded afresh).
// Reported: the PSS of the browser's whole process tree (tests/e2e/memory.mjs)
// above its level once the files are listed, after a quarter, half and all of
// them have been looked at. Garbage collection runs when the browser chooses:
// the figures are noisy by a hundred MiB or so; a leak grows with the count.
//
//   node bench/heic-browse.mjs        (make bench runs it; BENCH_HEICS=24)
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROWSERS } from '../tests/e2e/browsers.mjs';
import { treePssMiB } from '../tests/e2e/memory.mjs';
import { until } from '../tests/e2e/page-checks.mjs';
import { corpus, TestWeb } from '../tests/e2e/server.mjs';

const COUNT = Number(process.env.BENCH_HEICS ?? 24);
const scratch = mkdtempSync(join(tmpdir(), 'traceless-heic-browse-'));
const files = Array.from({ length: COUNT }, (_, i) => {
  const file = join(scratch, `photo${String(i + 1).padStart(2, '0')}.heic`);
  copyFileSync(join(corpus, 'ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC'), file);
  return file;
});
const marks = new Set([Math.round(COUNT / 4), Math.round(COUNT / 2), COUNT]);

const web = new TestWeb();
await web.start();
try {
  for (const name of Object.keys(BROWSERS)) {
    const browser = await BROWSERS[name](web);
    try {
      const page = await browser.openExtensionPage('converter.html');
      await until(page, () => document.documentElement.classList.contains('shown'));
      await browser.chooseFiles(page, '#file-input', files);
      await until(page, (n) => document.querySelectorAll('.item').length === n && !/Reading/.test(document.body.innerText), COUNT, 180000);
      await until(page, () => [...document.querySelectorAll('.item canvas.thumb')].every((c) => c.dataset.drawn === '1'), undefined, 180000);
      const base = treePssMiB(browser.pid);
      const growth = [];
      for (let i = 0; i < COUNT; i++) {
        await page.evaluate((i) => document.querySelectorAll('.item .name')[i].click(), i);
        // Its copy shown: a new blob: URL, decoded by the page.
        await until(page, () => {
          const before = document.getElementById('before');
          const fresh = before.src.startsWith('blob:') && before.complete && before.naturalWidth > 0 && before.dataset.seen !== before.src;
          if (fresh) before.dataset.seen = before.src;
          return fresh;
        }, undefined, 120000);
        if (marks.has(i + 1)) growth.push(`${i + 1}: +${Math.round(treePssMiB(browser.pid) - base)} MiB`);
      }
      console.log(`heic-browse ${name}: listed at ${Math.round(base)} MiB; looked at ${growth.join(', ')}`);
    } finally {
      await browser.close();
    }
  }
} finally {
  await web.stop();
  rmSync(scratch, { recursive: true, force: true });
}
