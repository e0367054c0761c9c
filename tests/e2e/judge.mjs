// Independent judges of what the extension saved: exiftool for metadata,
// Pillow (tests/tools) for decoding and pixels.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './server.mjs';

/** Tags exiftool reports for any file, or that only describe how the pixels display. */
const STRUCTURAL_GROUPS = new Set([
  'ExifTool', 'System', 'File', 'Composite', 'JFIF', 'PNG', 'RIFF', 'GIF', 'APP14', 'Adobe',
  'ICC_Profile', 'ICC-header', 'ICC-meas', 'ICC-view', 'ICC-chrm',
]);
/** A cleaned file may keep a minimal EXIF holding the orientation (the default policy). */
const ALLOWED_EXIF = new Set(['ExifByteOrder', 'Orientation']);
/** Structural tags in otherwise structural groups that still identify nothing. */
const IGNORED = new Set(['SourceFile', 'Warning']);

/** exiftool's view of a file: { 'Group:Tag': value }. */
export function exif(file) {
  const [tags] = JSON.parse(execFileSync('exiftool', ['-j', '-a', '-G1', '-struct', file], { encoding: 'utf8' }));
  return tags;
}

/** Every tag that is neither structural nor allowed: what a cleaned file must not carry. */
export function leaks(file, { allowOrientation = true } = {}) {
  const found = [];
  for (const [key, value] of Object.entries(exif(file))) {
    if (IGNORED.has(key)) continue;
    const [group, tag] = key.includes(':') ? key.split(':') : ['', key];
    if (group === 'ExifTool' && tag === 'Warning') found.push(`${key}=${value}`);
    if (STRUCTURAL_GROUPS.has(group)) continue;
    if ((group === 'IFD0' || group === 'EXIF') && allowOrientation && ALLOWED_EXIF.has(tag)) continue;
    found.push(`${key}=${typeof value === 'string' ? value.slice(0, 60) : JSON.stringify(value)}`);
  }
  return found;
}

/** Decodes every frame with Pillow; returns { format, width, height, frames, hashes }. */
export function decode(file) {
  const out = execFileSync('/usr/bin/python3', [join(root, 'tests/tools/pixels.py'), '--describe', file], { encoding: 'utf8' });
  return JSON.parse(out);
}

/** The most recently written complete file in `dir` whose name starts with `stem` (waits for it). */
export async function newestFile(dir, stem, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  const startedAt = Date.now() - 5000;
  while (Date.now() < deadline) {
    const files = readdirSync(dir);
    const complete = files
      .filter((f) => f.startsWith(stem) && !/\.(crdownload|part)$/.test(f))
      .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
      .filter(({ t }) => t >= startedAt)
      .sort((a, b) => b.t - a.t);
    if (complete.length && !files.some((f) => /\.(crdownload|part)$/.test(f))) return join(dir, complete[0].f);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no new ${stem}* in ${dir}; there: ${readdirSync(dir).join(', ') || 'nothing'}`);
}
