// Independent judges of what the extension saved: exiftool for metadata,
// Pillow (tests/tools) for decoding and pixels.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './server.mjs';

/** Tags exiftool reports for any file, or that only describe how the pixels display. */
const STRUCTURAL_GROUPS = new Set([
  'ExifTool', 'System', 'File', 'Composite', 'JFIF', 'PNG', 'RIFF', 'GIF', 'APP14', 'Adobe',
  'ICC_Profile', 'ICC-header', 'ICC-meas', 'ICC-view', 'ICC-chrm',
  // HEIF/AVIF structure: brands, codec configuration, image size and rotation, the primary
  // item (exiftool puts EXIF/XMP items in their own groups, which stay leaks).
  'QuickTime', 'Meta',
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

/** What our own engine (the CLI) finds in a file beyond what is kept for display. */
export function ownFindings(file) {
  const out = execFileSync(join(root, 'target/debug/traceless'), ['inspect', '--json', file], { encoding: 'utf8' });
  const [result] = JSON.parse(out);
  return result.report.findings.filter((f) => f.category !== 'display').map((f) => `${f.label}=${f.value}`);
}

/**
 * What exiftool finds in an image sequence (an animated AVIF) that names a place, a
 * device, a person or a date, as core/tests/sequences.rs judges: a sequence's movie
 * tags are QuickTime's, which `leaks` takes as structure.
 */
export function sequenceLeaks(file) {
  const out = execFileSync('exiftool', ['-a', '-G1', '-s', '-ee', file], { encoding: 'utf8' });
  const revealing = ['[Keys]', '[UserData]', '[ItemList]', '[XMP', 'GPS', 'Make', 'Model', 'Software', 'Author', 'Creator'];
  return out.split('\n').filter((l) => !/^\[(System|File|ExifTool)\]/.test(l)).filter((l) =>
    revealing.some((k) => l.includes(k)) || (l.includes('Date') && !l.includes('0000:00:00 00:00:00')));
}

/** ffmpeg's hash of every decoded frame of every track of a movie or image sequence. */
export function frameHashes(file) {
  const out = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0', '-f', 'framemd5', '-'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l && !l.startsWith('#'));
}

/** The primary image of a HEIF/AVIF as libheif decodes it, hashed (Pillow reads heif-convert's PNG). */
export function heifPixels(file) {
  const png = join(tmpdir(), `traceless-heif-${process.pid}-${Date.now()}.png`);
  execFileSync('heif-convert', [file, png], { stdio: 'ignore' });
  try {
    return execFileSync('/usr/bin/python3', [join(root, 'tests/tools/pixels.py'), '--describe', png], { encoding: 'utf8' });
  } finally {
    rmSync(png, { force: true });
  }
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

/** Video tags that describe the file's structure, by exiftool group (-G1). */
const VIDEO_GROUPS = /^(ExifTool|System|File|Composite|QuickTime|Track\d+)$/;
/** Tags of those groups that still tell something: where, what device or encoder, who, when. */
const VIDEO_REVEALING = /GPS|Location|Make|Model|Software|Author|Artist|Title|Comment|ContentIdentifier|Date|CompressorName|VendorID/;

/** What a cleaned video must not carry: any non-structural tag, any dated or identifying one. */
export function videoLeaks(file) {
  const found = [];
  for (const [key, value] of Object.entries(exif(file))) {
    if (IGNORED.has(key)) continue;
    const [group, tag] = key.includes(':') ? key.split(':') : ['', key];
    // Zeroed dates read as 0000:00:00; the file system's own dates are not in the file.
    if (group === 'System' || (/Date/.test(tag) && /^0000:00:00/.test(String(value)))) continue;
    if (!VIDEO_GROUPS.test(group) || VIDEO_REVEALING.test(tag)) found.push(`${key}=${String(value).slice(0, 60)}`);
  }
  return found;
}
