// Builds the extension for Chromium and Firefox from one source:
// bundles the TypeScript entries with esbuild, copies pages, icons and the
// engine, derives each browser's manifest from /manifest.json, and zips each.
//
//   node extension/build.mjs            -> dist/chromium, dist/firefox, dist/*.zip
//
// It expects the wasm engine in target/wasm/web (scripts/build-wasm.sh).
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { marked } from 'marked';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const wasmDir = join(root, 'target/wasm/web');

const ENTRIES = {
  background: 'extension/src/background/main.ts',
  content: 'extension/src/content/main.ts',
  'guard-main': 'extension/src/content/main-world.ts',
  'engine-worker': 'extension/src/engine/worker.ts',
  options: 'extension/src/pages/options.ts',
  report: 'extension/src/pages/report.ts',
  popup: 'extension/src/pages/popup.ts',
  converter: 'extension/src/pages/converter.ts',
  offscreen: 'extension/src/pages/offscreen.ts',
};

const GECKO_ID = 'traceless@traceless.invalid';

/** Each browser's manifest from the shared source. */
function manifestFor(browser, source) {
  const manifest = structuredClone(source);
  if (browser === 'firefox') {
    // Firefox runs MV3 backgrounds as event pages (no service workers for extensions).
    manifest.background = { scripts: [source.background.service_worker] };
    manifest.browser_specific_settings = {
      gecko: {
        id: GECKO_ID,
        // Uint8Array.toBase64 needs 133, the data-collection declaration 140 (142 on Android).
        strict_min_version: '142.0',
        data_collection_permissions: { required: ['none'] },
      },
    };
  } else {
    // Runtime messages as structured clones (bytes as they are, not JSON): content
    // scripts reach the engine in the service worker this way, with no web-accessible
    // resource a page could probe (Chrome 148+; Firefox always clones).
    manifest.message_serialization = 'structured_clone';
    manifest.minimum_chrome_version = '148';
    // The engine runs in an offscreen document's worker (background/offscreen-engine.ts).
    manifest.permissions = [...manifest.permissions, 'offscreen'];
    // A private window gets its own background (README, "Private windows").
    manifest.incognito = 'split';
  }
  return manifest;
}

async function bundle(outdir) {
  const { metafile } = await build({
    entryPoints: ENTRIES,
    outdir,
    metafile: true,
    bundle: true,
    format: 'iife',
    target: ['chrome140', 'firefox140'],
    minify: false,
    sourcemap: false,
    legalComments: 'inline',
    alias: {
      'traceless-wasm': join(wasmDir, 'traceless_wasm.js'),
      'traceless-wasm-full': join(wasmDir, 'traceless_wasm_full.js'),
      'traceless-wasm-avif': join(wasmDir, 'traceless_wasm_avif.js'),
      'traceless-wasm-video': join(wasmDir, 'traceless_wasm_video.js'),
    },
    // wasm-bindgen's default path uses import.meta.url; we always pass the module's URL instead.
    logOverride: { 'empty-import-meta': 'silent' },
    absWorkingDir: root,
    logLevel: 'warning',
  });
  return metafile;
}

/** A plain page around HTML made from the project's own Markdown (PRIVACY.md). */
function page(title, body, lang = 'en') {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
  :root { color-scheme: light dark; }
  body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
</style>
</head>
<body>
<main>
${body}</main>
</body>
</html>
`;
}

/** Licences an npm package in the bundle may carry (the Rust side's list is about.toml). */
const NPM_LICENCES = ['MIT', 'ISC', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', '0BSD'];

/**
 * The notices page: cargo-about's (target/notices.html, scripts/notices.sh) with the npm
 * packages the bundle really holds (esbuild's list of inputs), each with its licence file.
 */
function notices(metafile) {
  const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (match) names.add(match[1]);
  }
  const sections = [...names].sort().map((name) => {
    const dir = join(root, 'node_modules', name);
    const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (!NPM_LICENCES.includes(license)) throw new Error(`${name}: licence ${license} is not in the allowlist`);
    const file = readdirSync(dir).find((f) => /^licen[cs]e(\.(md|txt))?$/i.test(f));
    if (!file) throw new Error(`${name}: no licence file to ship`);
    const text = readFileSync(join(dir, file), 'utf8');
    return `<section>\n<h3>${escape(name)} ${escape(version)} (${escape(license)})</h3>\n<pre>${escape(text)}</pre>\n</section>`;
  });
  const page = readFileSync(join(root, 'target/notices.html'), 'utf8');
  if (!page.includes('<!-- npm packages -->')) throw new Error('target/notices.html: no place for the npm packages');
  return page.replace('<!-- npm packages -->', `<h2>npm packages in the extension's scripts</h2>\n${sections.join('\n')}`);
}

/**
 * Pages share markup through `<!-- include parts/NAME.html key=value ... -->`, replaced
 * here by the part with its `{{key}}`s filled in, so no script has to build it with
 * innerHTML, and the page's first paint is already its final layout.
 */
function includeParts(out) {
  for (const page of readdirSync(out).filter((f) => f.endsWith('.html'))) {
    const path = join(out, page);
    const html = readFileSync(path, 'utf8').replace(/<!-- include (parts\/[\w-]+\.html)((?: [\w-]+=[\w-]*)*) -->/g, (_, part, args) => {
      const values = Object.fromEntries(args.trim().split(/\s+/).filter(Boolean).map((a) => a.split('=')));
      return readFileSync(join(out, part), 'utf8').replace(/\{\{([\w-]+)\}\}/g, (_, key) => {
        if (!(key in values)) throw new Error(`${page}: include of ${part} gives no ${key}`);
        return values[key];
      });
    });
    writeFileSync(path, html);
  }
  rmSync(join(out, 'parts'), { recursive: true, force: true });
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/** A store-ready zip with fixed timestamps, so the same tree gives the same zip. */
function zip(dir, out) {
  const entries = {};
  for (const file of filesUnder(dir)) {
    entries[relative(dir, file)] = [readFileSync(file), { mtime: new Date('2026-01-01T00:00:00Z') }];
  }
  writeFileSync(out, zipSync(entries, { level: 9 }));
}

/**
 * The version, bumped in one place: the Cargo workspace's (the command line reports
 * it too). The source manifest has none; each built manifest gets this one.
 */
function workspaceVersion() {
  const cargo = readFileSync(join(root, 'Cargo.toml'), 'utf8');
  const found = /^\[workspace\.package\][^[]*?^version = "(\d+\.\d+\.\d+)"$/m.exec(cargo);
  if (!found) throw new Error('Cargo.toml: no [workspace.package] version = "X.Y.Z"');
  return found[1];
}

const source = { ...JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')), version: workspaceVersion() };
const staging = join(dist, '.bundle');
rmSync(dist, { recursive: true, force: true });
const noticesPage = notices(await bundle(staging));
const privacyPage = page('Traceless: privacy', marked.parse(readFileSync(join(root, 'PRIVACY.md'), 'utf8')));
// Its translations, one page per locale (docs/privacy/de.md gives privacy-de.html); each
// locale's messages name their page (privacyPage), so the settings link to the user's own.
const privacyTranslations = readdirSync(join(root, 'docs/privacy'))
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => {
    const locale = f.slice(0, -'.md'.length);
    const markdown = readFileSync(join(root, 'docs/privacy', f), 'utf8');
    const title = markdown.match(/^# (.+)$/m)?.[1] ?? 'Traceless';
    return [`privacy-${locale}.html`, page(title, marked.parse(markdown), locale.replace('_', '-'))];
  });
for (const browser of ['chromium', 'firefox']) {
  const out = join(dist, browser);
  mkdirSync(join(out, 'engine'), { recursive: true });
  cpSync(staging, out, { recursive: true });
  cpSync(join(root, 'extension/static'), out, { recursive: true });
  // Chromium's offscreen document (background/offscreen-engine.ts): Firefox has no use for it.
  if (browser === 'firefox') for (const file of ['offscreen.html', 'offscreen.js']) rmSync(join(out, file));
  includeParts(out);
  cpSync(join(root, 'icons'), join(out, 'icons'), { recursive: true });
  // The interface's words, read by the browser (manifest __MSG_ keys, i18n.getMessage).
  cpSync(join(root, 'extension/_locales'), join(out, '_locales'), { recursive: true });
  // The extension's own licence travels with it (stores and strangers read the zip).
  for (const licence of ['LICENSE-MIT', 'LICENSE-APACHE']) cpSync(join(root, licence), join(out, licence));
  writeFileSync(join(out, 'licences.html'), noticesPage);
  writeFileSync(join(out, 'privacy.html'), privacyPage);
  for (const [name, html] of privacyTranslations) writeFileSync(join(out, name), html);
  cpSync(join(wasmDir, 'traceless_wasm_bg.wasm'), join(out, 'engine/traceless.wasm'));
  cpSync(join(wasmDir, 'traceless_wasm_full_bg.wasm'), join(out, 'engine/traceless-full.wasm'));
  cpSync(join(wasmDir, 'traceless_wasm_avif_bg.wasm'), join(out, 'engine/traceless-avif.wasm'));
  cpSync(join(wasmDir, 'traceless_wasm_video_bg.wasm'), join(out, 'engine/traceless-video.wasm'));
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifestFor(browser, source), null, 2) + '\n');
  zip(out, join(dist, `traceless-${browser}-${source.version}.zip`));
}
rmSync(staging, { recursive: true, force: true });
console.log(`built ${relative(root, dist)}/{chromium,firefox} and their zips`);
