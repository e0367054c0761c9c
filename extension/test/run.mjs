// Bundles the extension's unit tests for Node and runs them with node --test.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'target', 'extension-tests');
rmSync(out, { recursive: true, force: true });
const entryPoints = readdirSync(here).filter((f) => f.endsWith('.test.ts')).map((f) => join(here, f));
await build({ entryPoints, outdir: out, bundle: true, platform: 'node', format: 'esm', outExtension: { '.js': '.mjs' }, logLevel: 'warning' });
const files = readdirSync(out).map((f) => join(out, f));
const { status } = spawnSync(process.execPath, ['--test', ...files], { stdio: 'inherit' });
process.exit(status ?? 1);
