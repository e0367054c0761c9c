// The image context menu: its items, and what each item asks for.
import type { OutputFormat } from '../engine/types';
import { ext } from '../shared/ext';
import { t } from '../shared/i18n';
import { FORMAT_NAMES, PRESETS, type Preset } from '../shared/settings';

export type MenuAction =
  | { kind: 'clean' }
  | { kind: 'compress'; preset: Preset['id'] | 'settings' }
  | { kind: 'save-as'; format: Exclude<OutputFormat, 'keep'> }
  | { kind: 'reveal' };

const PREFIX = 'traceless:';

const PRESET_TITLES: Record<Preset['id'], () => string> = {
  high: () => t('menuPresetHigh'),
  balanced: () => t('menuPresetBalanced', PRESETS.find((p) => p.id === 'balanced')!.maxDimension),
  small: () => t('menuPresetSmall', PRESETS.find((p) => p.id === 'small')!.maxDimension),
};

/** The items, in the browser's language (asked when the menus are made). */
function items(): { id: string; title: string; parentId?: string; type?: 'separator' }[] {
  return [
    { id: 'clean', title: t('menuClean') },
    { id: 'compress', title: t('menuCompress') },
    ...PRESETS.map((p) => ({ id: `compress:${p.id}`, title: PRESET_TITLES[p.id](), parentId: 'compress' })),
    { id: 'compress:settings', title: t('menuWithMySettings'), parentId: 'compress' },
    ...(['jpeg', 'png', 'webp', 'avif'] as const).map((f) => ({ id: `save-as:${f}`, title: t('menuSaveAs', FORMAT_NAMES[f]) })),
    { id: 'separator', title: '', type: 'separator' },
    { id: 'reveal', title: t('menuReveal') },
  ];
}

/**
 * Menus persist across background restarts; (re)made on install, update and browser start,
 * and by Chromium's private-profile instance when it starts (split incognito mode).
 */
export function setUpMenus(): Promise<void> {
  // One after another: a start that applies an update runs both, and interleaved they made duplicates.
  making = making.then(makeMenus, makeMenus);
  return making;
}
let making: Promise<void> = Promise.resolve();

/**
 * Each item is removed by its id and made again, not all at once with removeAll(): in
 * Chromium's split incognito mode, either instance's removeAll() removed the other
 * profile's items too, while remove(id) touches only its own (measured, Chromium 156).
 * (Removing a parent removes its children: theirs then find nothing, which is fine.)
 */
async function makeMenus(): Promise<void> {
  const all = items();
  await Promise.all(all.map((item) => ext.contextMenus.remove(PREFIX + item.id).catch(() => {})));
  for (const item of all) ext.contextMenus.create(menuItem(item));
}

function menuItem(item: ReturnType<typeof items>[number]): chrome.contextMenus.CreateProperties {
  return {
    id: PREFIX + item.id,
    title: item.title,
    type: item.type ?? 'normal',
    contexts: ['image'],
    ...(item.parentId ? { parentId: PREFIX + item.parentId } : {}),
  };
}

export function parseMenuId(menuItemId: string | number): MenuAction | undefined {
  const id = String(menuItemId);
  if (!id.startsWith(PREFIX)) return undefined;
  const [kind, arg] = id.slice(PREFIX.length).split(':');
  switch (kind) {
    case 'clean':
      return { kind: 'clean' };
    case 'reveal':
      return { kind: 'reveal' };
    case 'compress':
      if (arg === 'settings' || PRESETS.some((p) => p.id === arg)) {
        return { kind: 'compress', preset: arg as Preset['id'] | 'settings' };
      }
      return undefined;
    case 'save-as':
      if (arg === 'jpeg' || arg === 'png' || arg === 'webp' || arg === 'avif') return { kind: 'save-as', format: arg };
      return undefined;
    default:
      return undefined;
  }
}
