// What the user asked the converter to make: the output format, quality and
// size. Metadata is always removed; the colour profile and orientation follow
// the settings. The last choice is remembered (storage.local) for next time.
import type { ConvertOptions, Policy } from '../engine/types';
import { ext } from '../shared/ext';
import { t } from '../shared/i18n';
import { FORMAT_NAMES, keptFormat, policyOf, type Settings } from '../shared/settings';

/** `clean`: remove metadata only, losslessly; `keep`: recompress in the image's own format. */
export type TargetFormat = 'clean' | 'keep' | 'jpeg' | 'png' | 'webp' | 'avif';

export interface Choice {
  format: TargetFormat;
  /** 1-100 (JPEG, WebP). */
  quality: number;
  /** 0: no limit. */
  maxWidth: number;
  maxHeight: number;
  /** 0: no target; otherwise "at most this many KB" (quality becomes the upper bound). */
  targetKB: number;
  /** AVIF: libaom's speed (AVIF_SPEEDS), and bits a sample. */
  avifSpeed: number;
  avifDepth: 8 | 10;
}

/** The AVIF efforts offered, as libaom speeds: fast, balanced (Squoosh's default), smallest. */
export const AVIF_SPEEDS = [8, 6, 4] as const;
const DEFAULT_AVIF_SPEED = 6;

/** Each format's name in the converter's choice. */
export function formatTitles(): Record<TargetFormat, string> {
  return { clean: t('choiceClean'), keep: t('choiceKeep'), ...FORMAT_NAMES, png: t('formatPngLossless') };
}

const FORMATS: TargetFormat[] = ['clean', 'keep', 'jpeg', 'png', 'webp', 'avif'];
const STORAGE_KEY = 'converterChoice';
const LIMIT = 16384;

export function defaultChoice(settings: Settings): Choice {
  return {
    format: settings.format === 'keep' ? 'clean' : settings.format,
    quality: settings.quality,
    maxWidth: settings.maxDimension,
    maxHeight: settings.maxDimension,
    targetKB: 0,
    avifSpeed: DEFAULT_AVIF_SPEED,
    avifDepth: 8,
  };
}

/** Anything (storage, a form) as a valid choice; `fallback` fills what is missing or wrong. */
export function sanitiseChoice(value: unknown, fallback: Choice): Choice {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof Choice, unknown>>;
  const int = (x: unknown, min: number, max: number, otherwise: number) =>
    typeof x === 'number' && Number.isFinite(x) ? Math.min(max, Math.max(min, Math.round(x))) : otherwise;
  return {
    format: FORMATS.includes(v.format as TargetFormat) ? (v.format as TargetFormat) : fallback.format,
    quality: int(v.quality, 1, 100, fallback.quality),
    maxWidth: int(v.maxWidth, 0, LIMIT, fallback.maxWidth),
    maxHeight: int(v.maxHeight, 0, LIMIT, fallback.maxHeight),
    targetKB: int(v.targetKB, 0, 1024 * 1024, fallback.targetKB),
    avifSpeed: (AVIF_SPEEDS as readonly unknown[]).includes(v.avifSpeed) ? (v.avifSpeed as number) : fallback.avifSpeed,
    avifDepth: v.avifDepth === 8 || v.avifDepth === 10 ? v.avifDepth : fallback.avifDepth,
  };
}

export async function loadChoice(settings: Settings): Promise<Choice> {
  const stored = await ext.storage.local.get(STORAGE_KEY);
  return sanitiseChoice(stored[STORAGE_KEY], defaultChoice(settings));
}

export async function saveChoice(choice: Choice): Promise<void> {
  await ext.storage.local.set({ [STORAGE_KEY]: choice });
}

/** Which of the choice's fields matter for `format` (the form disables the rest). */
export function usesQuality(choice: Choice): boolean {
  return choice.format !== 'clean' && choice.format !== 'png';
}
export function usesPixels(choice: Choice): boolean {
  return choice.format !== 'clean';
}
export function usesAvifOptions(choice: Choice): boolean {
  return choice.format === 'avif';
}

/** The engine call that makes this choice's output from `input`. */
export type Work = { op: 'clean'; policy: Policy } | { op: 'convert'; options: ConvertOptions };

export function workOf(choice: Choice, settings: Settings, input: Uint8Array): Work {
  if (choice.format === 'clean') return { op: 'clean', policy: policyOf(settings) };
  return {
    op: 'convert',
    options: {
      format: keptFormat(choice.format, input),
      quality: choice.quality,
      maxWidth: choice.maxWidth || null,
      maxHeight: choice.maxHeight || null,
      targetBytes: choice.targetKB > 0 ? choice.targetKB * 1024 : null,
      colour: settings.keepIcc ? 'keepprofile' : 'converttosrgb',
      ...(usesAvifOptions(choice) ? { avifSpeed: choice.avifSpeed, avifDepth: choice.avifDepth } : {}),
    },
  };
}

/**
 * Everything a copy's bytes depend on: the choice and the settings that reach the engine
 * (the colour profile; for "metadata removed only", the orientation too). A copy made with
 * another recipe is out of date, whether the choice or the settings changed since.
 */
export interface Recipe {
  choice: Choice;
  keepIcc: boolean;
  keepOrientation: boolean | null;
}

export function recipeOf(choice: Choice, settings: Settings): Recipe {
  // A converted copy is always upright: the orientation setting only reaches cleaning.
  return { choice, keepIcc: settings.keepIcc, keepOrientation: choice.format === 'clean' ? settings.keepOrientation : null };
}

/** Two recipes make the same output (a copy made with one is current for the other). */
export function sameRecipe(a: Recipe, b: Recipe): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** "WebP, quality 80, fit 1920 × any": the choice in one line (the popup's folded form). */
export function summarise(choice: Choice): string {
  if (choice.format === 'clean') return t('summaryClean');
  const parts = [choice.format === 'keep' ? t('summarySameFormat') : FORMAT_NAMES[choice.format]];
  if (choice.targetKB) parts.push(t('summaryAtMost', choice.targetKB));
  else if (usesQuality(choice)) parts.push(t('summaryQuality', choice.quality));
  if (usesAvifOptions(choice) && choice.avifDepth === 10) parts.push(t('summaryTenBit'));
  // Pixel sizes are written plainly (1920 × 1080), as image software writes them.
  const side = (n: number) => (n ? String(n) : t('converterAny'));
  if (choice.maxWidth || choice.maxHeight) parts.push(t('summaryFit', side(choice.maxWidth), side(choice.maxHeight)));
  return parts.join(', ');
}
