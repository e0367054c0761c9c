// The user's defaults, kept in storage.sync so they follow the browser profile.
import type { ConvertOptions, OutputFormat, Policy } from '../engine/types';
import { ext } from './ext';
import { isAnimated } from './file-kinds';

/** What the upload guard does with images a site is about to receive. */
export type GuardMode = 'clean' | 'recompress' | 'off';

export interface Settings {
  /** The upload guard everywhere, unless a site rule says otherwise. */
  guardMode: GuardMode;
  /** Per-site exceptions, by origin ("https://example.com"). */
  siteModes: Record<string, GuardMode>;
  /** An image the guard cannot clean: held back (default) or sent as it is, with a notice. */
  passUncleanable: boolean;
  /** Where the guard recompresses: send HEIC photos as JPEG (many sites refuse HEIC). */
  heicToJpeg: boolean;
  /**
   * The guard sends an image or video with a random token for the date and time in its
   * name (PXL_20240612_093512345.jpg goes as PXL_k3f9x2.jpg). A cleaned copy never
   * carries the original's own date, whatever this says.
   */
  undatedNames: boolean;
  /** Output format for "Compress and save"; `keep` keeps the image's own format. */
  format: OutputFormat;
  /** 1-100, for JPEG and WebP. */
  quality: number;
  /** Longest side in pixels after resizing; 0 means never resize. */
  maxDimension: number;
  /** Keep the colour profile (colours display as the author saw them). */
  keepIcc: boolean;
  /** Keep the EXIF orientation when only removing metadata (the photo stays upright). */
  keepOrientation: boolean;
}

export const DEFAULTS: Readonly<Settings> = {
  guardMode: 'clean',
  siteModes: {},
  passUncleanable: false,
  heicToJpeg: false,
  undatedNames: true,
  format: 'keep',
  quality: 80,
  maxDimension: 0,
  keepIcc: true,
  keepOrientation: true,
};

const FORMATS: readonly OutputFormat[] = ['keep', 'jpeg', 'png', 'webp', 'avif'];

/** A format as people write it (the same in every language): JPEG, PNG, WebP, AVIF. */
export const FORMAT_NAMES: Record<Exclude<OutputFormat, 'keep'>, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', avif: 'AVIF' };
const MODES: readonly GuardMode[] = ['clean', 'recompress', 'off'];
const isMode = (value: unknown): value is GuardMode => MODES.includes(value as GuardMode);

/** "https://example.com" for anything that parses as an http(s) URL or origin; undefined otherwise. */
export function siteOrigin(value: string): string | undefined {
  try {
    const url = new URL(value.includes('://') ? value : `https://${value}`);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

function siteModes(value: unknown): Record<string, GuardMode> {
  const out: Record<string, GuardMode> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [site, mode] of Object.entries(value)) {
    const origin = siteOrigin(site);
    if (origin && isMode(mode)) out[origin] = mode;
  }
  return out;
}

/**
 * The guard's mode for a page shown in a tab whose top-level page is at `site`: the choice
 * made for the site the user sees (the popup's), in its frames of other origins too; a
 * frame's own origin has no say (a choice made once for a widget's own address would
 * follow it into every site that embeds it).
 */
export function guardModeFor(settings: Settings, site: string): GuardMode {
  return settings.siteModes[site] ?? settings.guardMode;
}
export const MAX_DIMENSION = 16384;

/** Whatever storage holds (older versions, hand edits) becomes valid settings. */
export function sanitise(stored: Partial<Record<keyof Settings, unknown>>): Settings {
  const int = (value: unknown, min: number, max: number, fallback: number) =>
    typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
  const bool = (value: unknown, fallback: boolean) => (typeof value === 'boolean' ? value : fallback);
  return {
    guardMode: isMode(stored.guardMode) ? stored.guardMode : DEFAULTS.guardMode,
    siteModes: siteModes(stored.siteModes),
    passUncleanable: bool(stored.passUncleanable, DEFAULTS.passUncleanable),
    heicToJpeg: bool(stored.heicToJpeg, DEFAULTS.heicToJpeg),
    undatedNames: bool(stored.undatedNames, DEFAULTS.undatedNames),
    format: FORMATS.includes(stored.format as OutputFormat) ? (stored.format as OutputFormat) : DEFAULTS.format,
    quality: int(stored.quality, 1, 100, DEFAULTS.quality),
    maxDimension: int(stored.maxDimension, 0, MAX_DIMENSION, DEFAULTS.maxDimension),
    keepIcc: bool(stored.keepIcc, DEFAULTS.keepIcc),
    keepOrientation: bool(stored.keepOrientation, DEFAULTS.keepOrientation),
  };
}

export async function loadSettings(): Promise<Settings> {
  const stored = await ext.storage.sync.get(Object.keys(DEFAULTS));
  return sanitise(stored as Partial<Record<keyof Settings, unknown>>);
}

/**
 * The settings, read once and then kept current by storage events: the upload
 * guard asks on every selection, and a storage round trip costs milliseconds.
 */
let cached: Promise<Settings> | undefined;
export function currentSettings(): Promise<Settings> {
  if (!cached) {
    cached = loadSettings();
    cached.catch(() => (cached = undefined));
    ext.storage.onChanged.addListener((_changes, area) => {
      if (area === 'sync') cached = loadSettings();
    });
  }
  return cached;
}

export async function saveSettings(settings: Settings): Promise<void> {
  await ext.storage.sync.set(sanitise(settings));
}

/**
 * Every setting but the per-site rules, which are a list of their own (changeSiteRule):
 * the settings page's form, saved, must not write back the rules as they were when it was
 * opened, over one set in the popup since (or synced from another computer).
 */
export async function saveSettingsButSites(settings: Settings): Promise<void> {
  const { siteModes: _, ...rest } = sanitise(settings);
  await ext.storage.sync.set(rest);
}

let ruleChanges: Promise<void> = Promise.resolve();

/**
 * One site's rule (`mode`), or none (undefined: the global mode), changed in the rules as
 * stored now; this page's changes one after another (two quick clicks each read the rules
 * before the other wrote them, and one was lost).
 */
export function changeSiteRule(origin: string, mode: GuardMode | undefined): Promise<void> {
  const change = async () => {
    const modes = { ...(await loadSettings()).siteModes };
    if (mode) modes[origin] = mode;
    else delete modes[origin];
    await ext.storage.sync.set({ siteModes: siteModes(modes) });
  };
  const done = ruleChanges.then(change, change);
  ruleChanges = done.catch(() => undefined);
  return done;
}

export function policyOf(settings: Settings): Policy {
  return { keepIcc: settings.keepIcc, keepOrientation: settings.keepOrientation };
}

/** Conversion options from the settings; `overrides` come from a preset or a "Save as" item. */
export function convertOptionsOf(
  settings: Settings,
  overrides: { format?: OutputFormat; quality?: number; maxDimension?: number } = {},
  input?: Uint8Array,
): ConvertOptions {
  const maxDimension = overrides.maxDimension ?? settings.maxDimension;
  const format = keptFormat(overrides.format ?? settings.format, input);
  return {
    format,
    quality: overrides.quality ?? settings.quality,
    maxWidth: maxDimension > 0 ? maxDimension : null,
    maxHeight: maxDimension > 0 ? maxDimension : null,
    colour: settings.keepIcc ? 'keepprofile' : 'converttosrgb',
  };
}

export interface Preset {
  id: 'high' | 'balanced' | 'small';
  quality: number;
  /** 0: keep the size. */
  maxDimension: number;
}

export const PRESETS: readonly Preset[] = [
  { id: 'high', quality: 90, maxDimension: 0 },
  { id: 'balanced', quality: 78, maxDimension: 2560 },
  { id: 'small', quality: 60, maxDimension: 1280 },
];

/**
 * "Keep the format" for this input. There is no GIF encoder: a still GIF compresses
 * best (and losslessly) as PNG. An animated one is left to the engine, which keeps
 * the animation as an animated WebP.
 */
export function keptFormat(format: OutputFormat, input?: Uint8Array): OutputFormat {
  return format === 'keep' && input && isGif(input) && !isAnimated(input) ? 'png' : format;
}

/** By the file's signature: GIF has no encoder here, so "keep the format" means PNG for it. */
export function isGif(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x38;
}
