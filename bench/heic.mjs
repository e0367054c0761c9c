// HEIC to JPEG in Chromium, side by side in one run: Traceless's converter page
// (the built extension: heifer in wasm, then MozJPEG) against heic2any (npm:
// libheif compiled with Emscripten, as most "convert HEIC in the browser" pages
// use it), on two 12 MP HEICs: the corpus's iPhone 13 Pro Max photo (a grid of
// 48 tiles of 512×512, Display P3, a gain map, turned by `irot`) and a 4032×3024
// HEIC made from real corpus photos with heif-enc (one HEVC picture, bench/photos.py
// heif); then the same HEICs natively (the CLI), and an AVIF of that size in the
// converter (the browser's AV1 decoder) and the CLI (dav1d).
//
// Every browser run starts a fresh Chromium. Time is the conversion alone, timed in
// the page (the file already in the page and its thumbnail drawn; from the click's
// event to the row showing its copy, or the heic2any call); the converter's time from adding the file to showing it is
// printed beside it (for a HEIC, the decode the conversion starts from), memory the
// peak PSS of the browser's whole process tree above its level just before. For the
// iPhone photo, also Convert clicked once the size estimate shows (the estimate's
// copy becomes the file's copy).
//
//   node bench/heic.mjs        (make bench runs it; BENCH_RUNS=3)
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { launchChromium } from '../tests/e2e/browsers.mjs';
import { sampleMemory } from '../tests/e2e/memory.mjs';
import { corpus, root, TestWeb, traceless } from '../tests/e2e/server.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const QUALITY = 80;
const photos = join(root, 'bench/out/photos');
const HEIC = join(photos, 'photo-12mp.heic');
const AVIF = join(photos, 'photo-12mp.avif');
for (const file of [HEIC, AVIF]) statSync(file); // run bench/photos.py heif first
// Served to heic2any's page from bench/out/photos like the others.
const IPHONE = join(photos, 'iphone-12mp.heic');
copyFileSync(join(corpus, 'ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC'), IPHONE);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Traceless: the converter page, one file to JPEG at QUALITY (`fit`: within fit × fit).
 * `sampled`: memory is sampled (every 50 ms, which slows the browser: times come from
 * runs without it). `flow`: when Convert is clicked: once the image is shown (`shown`,
 * the default), once the size estimate for JPEG shows too (`estimate`), as soon as
 * the file is read, before it is shown (`early`), or with JPEG chosen before adding
 * the file (the page remembers the last choice) a second after it is read (`remembered`).
 */
async function converter(web, file, { fit = 0, sampled = false, flow = 'shown' } = {}) {
  const browser = await launchChromium(web);
  try {
    const page = await browser.openExtensionPage('converter.html');
    await page.waitForFunction(() => document.documentElement.classList.contains('shown')); // wired up: its settings read
    const choose = () => page.evaluate(({ quality, fit }) => {
      for (const [id, value] of [['format', 'jpeg'], ['quality', quality], ['max-width', fit], ['max-height', fit], ['target', 0]]) {
        const control = document.getElementById(id);
        control.value = String(value);
        control.dispatchEvent(new Event('change', { bubbles: true }));
      }
    }, { quality: QUALITY, fit });
    // The converter remembers the last choice: JPEG may be chosen before the file comes.
    if (flow === 'remembered') await choose();
    // In the page: adding the file (its input's change) to its "before" picture loaded (for a
    // HEIC, the engine's copy: the file itself fails to load) and to its thumbnail drawn.
    await page.evaluate(() => {
      const before = document.getElementById('before');
      document.getElementById('file-input').addEventListener('change', () => {
        window.addedAt = performance.now();
        before.addEventListener('load', () => (window.pictureAt = performance.now()), { once: true });
        const thumb = () => {
          if (document.querySelector('canvas.thumb[data-drawn]')) window.thumbAt = performance.now();
          else setTimeout(thumb, 5);
        };
        thumb();
      }, { capture: true, once: true });
    });
    const added = performance.now();
    await page.setInputFiles('#file-input', [file]);
    let shownSeconds, pictureSeconds, thumbSeconds;
    if (flow === 'remembered') {
      await page.waitForFunction(() => document.querySelectorAll('.item').length === 1 && !/Reading/.test(document.body.innerText), null, { timeout: 120000, polling: 20 });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } else if (flow === 'early') {
      await page.waitForFunction(() => document.querySelectorAll('.item').length === 1 && !/Reading/.test(document.body.innerText), null, { timeout: 120000, polling: 20 });
    } else {
      // As a person would: the file read, its thumbnail and its picture shown (for a HEIC, decodes of
      // their own) before converting.
      await page.waitForFunction(() => document.querySelectorAll('.item').length === 1 && !/Reading/.test(document.body.innerText) && document.querySelector('canvas.thumb[data-drawn]') && document.getElementById('before').naturalWidth > 0, null, { timeout: 120000, polling: 50 });
      // Adding to shown: for a HEIC, the engine's decode, which the conversion then starts from.
      shownSeconds = (performance.now() - added) / 1000;
      [pictureSeconds, thumbSeconds] = await page.evaluate(() => [(window.pictureAt - window.addedAt) / 1000, (window.thumbAt - window.addedAt) / 1000]);
    }
    if (flow !== 'remembered') await choose();
    let estimateSeconds;
    if (flow === 'estimate') {
      // As a person who looks at the estimate first: its copy is the one Convert keeps.
      const chosen = performance.now();
      await page.waitForFunction(() => / would be /.test(document.getElementById('estimate').textContent), null, { timeout: 120000, polling: 50 });
      estimateSeconds = (performance.now() - chosen) / 1000;
    }
    const memory = sampled ? sampleMemory(browser.pid, 50) : undefined;
    // Timed in the page, as heic2any is: from the click's event to the row showing its copy
    // (the driver's click, with its checks, and its polling added 0.1-0.2 s).
    await page.evaluate(() => {
      const finished = () => document.querySelector('.item[data-stage=done], .item[data-stage=failed]') && !document.querySelector('.converter.running');
      document.getElementById('convert').addEventListener('click', () => {
        window.clickedAt = performance.now();
        const observer = new MutationObserver(() => {
          if (!finished()) return;
          window.doneAt = performance.now();
          observer.disconnect();
        });
        observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['class', 'data-stage'] });
      }, { capture: true, once: true });
    });
    const started = performance.now();
    await page.click('#convert');
    await page.waitForFunction(() => window.doneAt !== undefined, null, { timeout: 300000, polling: 50 });
    const done = performance.now();
    const seconds = await page.evaluate(() => (window.doneAt - window.clickedAt) / 1000);
    const { before, peak } = memory?.stop() ?? { before: NaN, peak: NaN };
    const failed = await page.evaluate(() => document.querySelector('.item[data-stage=failed]')?.innerText);
    if (failed) throw new Error(`the converter failed: ${failed}`);
    const totals = await page.evaluate(() => document.getElementById('totals').textContent);
    return { seconds, shownSeconds, pictureSeconds, thumbSeconds, estimateSeconds, addedToDone: (done - added) / 1000, peakMiB: peak - before, totals };
  } finally {
    await browser.close();
  }
}

/** heic2any in a plain page of the same Chromium (no extension). */
async function heic2any(web, file, sampled = false) {
  const browser = await launchChromium(web, { withExtension: false });
  try {
    const page = await browser.open(`${web.originA}/probe.html`);
    await page.evaluate(async (name) => {
      await new Promise((ok, fail) => {
        const script = Object.assign(document.createElement('script'), { src: '/node_modules/heic2any/dist/heic2any.min.js', onload: ok, onerror: fail });
        document.head.append(script);
      });
      window.heic = await (await fetch(`/bench/${name}`)).blob();
    }, basename(file));
    const memory = sampled ? sampleMemory(browser.pid, 50) : undefined;
    const out = await page.evaluate(async (quality) => {
      const started = performance.now();
      const jpeg = await window.heic2any({ blob: window.heic, toType: 'image/jpeg', quality: quality / 100 });
      return { seconds: (performance.now() - started) / 1000, bytes: jpeg.size };
    }, QUALITY);
    const { before, peak } = memory?.stop() ?? { before: NaN, peak: NaN };
    return { ...out, peakMiB: peak - before };
  } finally {
    await browser.close();
  }
}

/**
 * The CLI, one file to JPEG: wall time and peak RSS from GNU time, of the second of two
 * runs (three by hand right after a benchmark: 2.28, 1.06 and 1.15 s for the iPhone
 * photo; the first is not representative).
 */
function cli(file) {
  const out = mkdtempSync(join(tmpdir(), 'traceless-heic-'));
  try {
    const report = join(out, 'time.txt');
    const run = () => execFileSync('/usr/bin/time', ['-o', report, '-f', '%e %M', traceless(), 'convert', file, '--to', 'jpeg', '--quality', String(QUALITY), '-o', out, '--overwrite'], { stdio: 'ignore' });
    run();
    run();
    const [seconds, kib] = readFileSync(report, 'utf8').trim().split(' ').map(Number);
    return { seconds, peakMiB: kib / 1024 };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const web = await new TestWeb().start();
const runs = {
  heic2anyIphone: [], tracelessIphone: [], tracelessIphoneEstimated: [], tracelessIphoneEarly: [], tracelessIphoneRemembered: [], cliIphone: [],
  heic2any: [], traceless: [], tracelessDecode: [], tracelessAvif: [], cliHeic: [], cliAvif: [],
};
try {
  for (let run = 0; run < RUNS; run++) {
    // Alternated, so that neither always runs on a warmer machine; each browser run
    // twice, timed and then sampled.
    const both = async (measure) => {
      const timed = await measure(false);
      const sampled = await measure(true);
      return { ...timed, peakMiB: sampled.peakMiB };
    };
    runs.heic2anyIphone.push(await both((sampled) => heic2any(web, IPHONE, sampled)));
    runs.tracelessIphone.push(await both((sampled) => converter(web, IPHONE, { sampled })));
    runs.tracelessIphoneEstimated.push(await converter(web, IPHONE, { flow: 'estimate' }));
    runs.tracelessIphoneEarly.push(await converter(web, IPHONE, { flow: 'early' }));
    runs.tracelessIphoneRemembered.push(await converter(web, IPHONE, { flow: 'remembered' }));
    runs.cliIphone.push(cli(IPHONE));
    runs.heic2any.push(await both((sampled) => heic2any(web, HEIC, sampled)));
    runs.traceless.push(await both((sampled) => converter(web, HEIC, { sampled })));
    // Decoding alone, nearly: the output a 64-pixel JPEG.
    runs.tracelessDecode.push(await both((sampled) => converter(web, HEIC, { fit: 64, sampled })));
    runs.tracelessAvif.push(await both((sampled) => converter(web, AVIF, { sampled })));
    runs.cliHeic.push(cli(HEIC));
    runs.cliAvif.push(cli(AVIF));
  }
} finally {
  await web.stop();
}

const summary = Object.fromEntries(
  Object.entries(runs).map(([name, rs]) => [
    name,
    {
      seconds: median(rs.map((r) => r.seconds)),
      shownSeconds: median(rs.map((r) => r.shownSeconds ?? NaN)),
      pictureSeconds: median(rs.map((r) => r.pictureSeconds ?? NaN)),
      thumbSeconds: median(rs.map((r) => r.thumbSeconds ?? NaN)),
      peakMiB: median(rs.map((r) => r.peakMiB)),
    },
  ]),
);
const bytes = (f) => readFileSync(f).length;
writeFileSync(join(root, 'bench/out/heic.json'), JSON.stringify({ runs, summary, heicBytes: bytes(HEIC), avifBytes: bytes(AVIF) }, null, 1));
const s = summary;
const line = (label, r) =>
  `  ${label.padEnd(44)} ${r.seconds.toFixed(2).padStart(6)} s   peak +${r.peakMiB.toFixed(0).padStart(4)} MiB` +
  (Number.isNaN(r.shownSeconds)
    ? ''
    : `   (added to shown: ${r.shownSeconds.toFixed(2)} s; in the page, its picture ${r.pictureSeconds.toFixed(2)} s, its thumbnail ${r.thumbSeconds.toFixed(2)} s)`);
const versus = (ours, theirs, theirBytes) =>
  `  Traceless is ${(theirs.seconds / ours.seconds).toFixed(1)}× faster than heic2any, with ${(ours.peakMiB / theirs.peakMiB).toFixed(2)}× its memory (heic2any's JPEG: ${(theirBytes / 1e6).toFixed(2)} MB, from the browser's encoder)`;
console.log(`\niPhone 13 Pro Max HEIC (3024×4032, 48 tiles, ${(bytes(IPHONE) / 1e6).toFixed(1)} MB) → JPEG q${QUALITY}, median of ${RUNS} runs:`);
console.log(line('heic2any 0.0.4 in Chromium (page)', s.heic2anyIphone));
console.log(line('Traceless converter in Chromium', s.tracelessIphone));
console.log(`  ${'  Convert clicked after the estimate showed'.padEnd(44)} ${s.tracelessIphoneEstimated.seconds.toFixed(2).padStart(6)} s   (the estimate showed ${median(runs.tracelessIphoneEstimated.map((r) => r.estimateSeconds)).toFixed(2)} s after choosing JPEG)`);
console.log(`  ${'  Convert clicked as soon as the file was read'.padEnd(44)} ${s.tracelessIphoneEarly.seconds.toFixed(2).padStart(6)} s   (adding to done: ${median(runs.tracelessIphoneEarly.map((r) => r.addedToDone)).toFixed(2)} s)`);
console.log(`  ${'  JPEG chosen before, Convert 1 s after reading'.padEnd(44)} ${s.tracelessIphoneRemembered.seconds.toFixed(2).padStart(6)} s   (adding to done: ${median(runs.tracelessIphoneRemembered.map((r) => r.addedToDone)).toFixed(2)} s)`);
console.log(line('traceless CLI (native, all cores)', s.cliIphone));
console.log(versus(s.tracelessIphone, s.heic2anyIphone, median(runs.heic2anyIphone.map((r) => r.bytes))));
console.log(`  Traceless's page after the HEIC: ${runs.tracelessIphone[0].totals}`);
console.log(`\nHEIC/AVIF 4032×3024 → JPEG q${QUALITY}, median of ${RUNS} runs (HEIC ${(bytes(HEIC) / 1e6).toFixed(1)} MB, AVIF ${(bytes(AVIF) / 1e6).toFixed(1)} MB):`);
console.log(line('heic2any 0.0.4 in Chromium (page)', s.heic2any));
console.log(line('Traceless converter in Chromium (HEIC)', s.traceless));
console.log(line('Traceless converter in Chromium (HEIC, 64 px)', s.tracelessDecode));
console.log(line('Traceless converter in Chromium (AVIF)', s.tracelessAvif));
console.log(line('traceless CLI (HEIC, native, all cores)', s.cliHeic));
console.log(line('traceless CLI (AVIF, native, dav1d)', s.cliAvif));
console.log(versus(s.traceless, s.heic2any, median(runs.heic2any.map((r) => r.bytes))));
console.log(`  Traceless's page after the HEIC: ${runs.traceless[0].totals}`);
