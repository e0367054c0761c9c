// The full-page converter on a big batch: fifty 12-megapixel photos
// (bench/photos.py batch; BENCH_BATCH=bench/out/batch-heic for the same photos
// as HEIC, made by bench/photos.py heif) chosen at once and converted in Chromium through the
// built extension, then saved as one zip, as a person would. Every 250 ms it
// samples, from /proc, the memory of the process that runs the converter tab
// and its engine workers (Chromium's extension renderer), and of the browser
// process (which holds the finished copies as Blobs), and what the page shows
// (progress bar and status line). The page counts its own long tasks.
//
//   node bench/converter.mjs        (make bench runs it; BENCH_FORMAT=webp to change)
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../tests/e2e/browsers.mjs';
import { root, TestWeb } from '../tests/e2e/server.mjs';

const DIR = join(root, process.env.BENCH_BATCH ?? 'bench/out/batch');
const FORMAT = process.env.BENCH_FORMAT ?? 'jpeg';
const QUALITY = 80;
const MiB = 1024 * 1024;

const photos = readdirSync(DIR).filter((f) => /\.(jpg|heic)$/.test(f)).sort().map((f) => join(DIR, f));
if (photos.length < 50) throw new Error(`run bench/photos.py batch ${DIR} 50 first`);

/** Chromium's processes by role, from their command lines. */
function chromiumProcesses() {
  const found = { extension: [], browser: [] };
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmd;
    try {
      // Chromium's children rewrite their title: the arguments may arrive as one string.
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    if (!cmd.includes('chromium')) continue;
    if (cmd.includes('--type=renderer') && cmd.includes('--extension-process')) found.extension.push(pid);
    else if (!cmd.includes('--type=') && cmd.includes('--disable-extensions-except=')) found.browser.push(pid);
  }
  return found;
}

/** Resident and private (anonymous) memory of a process, in bytes. */
function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kB = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) * 1024;
    return { rss: kB('VmRSS'), anon: kB('RssAnon') + kB('VmSwap') };
  } catch {
    return { rss: 0, anon: 0 };
  }
}

const web = await new TestWeb().start();
const browser = await launchChromium(web);
const samples = [];
let result;
try {
  const page = await browser.openExtensionPage('converter.html');
  await page.waitForFunction(() => document.documentElement.classList.contains('shown')); // wired up: its settings read
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
  });
  const processes = chromiumProcesses();
  if (processes.extension.length !== 1 || processes.browser.length !== 1) {
    throw new Error(`expected one extension renderer and one browser process: ${JSON.stringify(processes)}`);
  }
  const [extensionPid] = processes.extension;
  const [browserPid] = processes.browser;
  const baseline = { extension: memoryOf(extensionPid), browser: memoryOf(browserPid) };

  let phase = 'adding';
  const started = Date.now();
  const sampler = setInterval(async () => {
    const shown = await page
      .evaluate(() => ({
        status: document.getElementById('overall-status').textContent,
        progress: document.getElementById('overall-progress').value,
        max: document.getElementById('overall-progress').max,
      }))
      .catch(() => null);
    samples.push({ t: Date.now() - started, phase, extension: memoryOf(extensionPid), browser: memoryOf(browserPid), shown });
  }, 250);

  await page.setInputFiles('#file-input', photos);
  await page.waitForFunction((n) => document.querySelectorAll('.item').length === n && !/Reading/.test(document.body.innerText), photos.length, { timeout: 120000 });
  await page.evaluate(({ format, quality }) => {
    const set = (id, value) => {
      const control = document.getElementById(id);
      control.value = String(value);
      control.dispatchEvent(new Event('change', { bubbles: true }));
    };
    set('format', format);
    set('quality', quality);
    set('max-width', 0);
    set('max-height', 0);
    set('target', 0);
  }, { format: FORMAT, quality: QUALITY });
  phase = 'converting';
  const convertStart = Date.now();
  await page.click('#convert');
  await page.waitForFunction(
    (n) => document.querySelectorAll('.item[data-stage=done]').length === n && !document.querySelector('.converter.running'),
    photos.length,
    { timeout: 30 * 60000, polling: 500 },
  );
  const convertMs = Date.now() - convertStart;
  phase = 'zipping';
  const zipStart = Date.now();
  const since = Date.now();
  await page.click('#download-all');
  const [zipPath] = await browser.downloadsSince(since, 1);
  const zipMs = Date.now() - zipStart;
  phase = 'done';
  await new Promise((r) => setTimeout(r, 500));
  clearInterval(sampler);
  const page_ = await page.evaluate(() => ({
    totals: document.getElementById('totals').textContent,
    longTasks: window.longTasks,
    failed: document.querySelectorAll('.item[data-stage=failed]').length,
  }));

  const during = samples.filter((s) => s.phase === 'converting' || s.phase === 'zipping');
  const peak = (key, field) => Math.max(...samples.map((s) => s[key][field]));
  // Progress: how long the bar stood still at most while converting, and whether it only went forward.
  const converting = samples.filter((s) => s.phase === 'converting' && s.shown);
  let stall = 0;
  let since_ = converting[0]?.t ?? 0;
  let last = -1;
  let monotonic = true;
  for (const s of converting) {
    if (s.shown.progress < last) monotonic = false;
    if (s.shown.progress !== last) {
      stall = Math.max(stall, s.t - since_);
      since_ = s.t;
      last = s.shown.progress;
    }
  }
  result = {
    photos: photos.length,
    format: FORMAT,
    quality: QUALITY,
    inputBytes: photos.reduce((n, p) => n + readFileSync(p).length, 0),
    zip: zipPath,
    zipBytes: readFileSync(zipPath).length,
    convertSeconds: convertMs / 1000,
    zipSeconds: zipMs / 1000,
    failed: page_.failed,
    totals: page_.totals,
    extensionProcess: {
      baselineRssMiB: baseline.extension.rss / MiB,
      peakRssMiB: peak('extension', 'rss') / MiB,
      peakPrivateMiB: peak('extension', 'anon') / MiB,
    },
    browserProcess: {
      baselineRssMiB: baseline.browser.rss / MiB,
      peakRssMiB: peak('browser', 'rss') / MiB,
      peakPrivateMiB: peak('browser', 'anon') / MiB,
    },
    progress: {
      samples: converting.length,
      distinctValues: new Set(converting.map((s) => s.shown.progress)).size,
      longestStillSeconds: stall / 1000,
      onlyForward: monotonic,
      statusAlwaysShown: during.every((s) => s.shown?.status),
      max: converting.at(-1)?.shown.max,
    },
    longestTaskMs: Math.max(0, ...page_.longTasks),
    longTasks: page_.longTasks.length,
  };
} finally {
  await browser.close();
  await web.stop();
}

const heic = photos[0].endsWith('.heic');
writeFileSync(join(root, `bench/out/converter${heic ? '-heic' : ''}.json`), JSON.stringify({ result, samples }, null, 1));
const r = result;
console.log(`\nConverter, ${r.photos} photos of 12 MP (${(r.inputBytes / MiB).toFixed(0)} MiB of ${heic ? 'HEIC' : 'JPEG'}) -> ${r.format} q${r.quality}, Chromium, full page:`);
console.log(`  converted in ${r.convertSeconds.toFixed(1)} s (${r.failed} failed); zip of ${(r.zipBytes / MiB).toFixed(0)} MiB saved in ${r.zipSeconds.toFixed(1)} s; page: ${r.totals}`);
console.log(`  converter tab process (page + engine workers): peak RSS ${r.extensionProcess.peakRssMiB.toFixed(0)} MiB, private ${r.extensionProcess.peakPrivateMiB.toFixed(0)} MiB (at rest before adding: ${r.extensionProcess.baselineRssMiB.toFixed(0)} MiB)`);
console.log(`  browser process (holds the finished copies): peak RSS ${r.browserProcess.peakRssMiB.toFixed(0)} MiB (before: ${r.browserProcess.baselineRssMiB.toFixed(0)} MiB)`);
console.log(`  progress: ${r.progress.distinctValues} distinct values over ${r.progress.samples} samples, at most ${r.progress.longestStillSeconds.toFixed(1)} s without moving, only forward: ${r.progress.onlyForward}, status line always shown: ${r.progress.statusAlwaysShown}`);
console.log(`  page main thread: ${r.longTasks} long tasks, longest ${r.longestTaskMs.toFixed(0)} ms`);
