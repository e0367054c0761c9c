// The image context menu: its items, and what each item asks for.
import type { OutputFormat } from '../engine/types';
import { ext } from '../shared/ext';
import { PRESETS, type Preset } from '../shared/settings';

export type MenuAction =
  | { kind: 'clean' }
  | { kind: 'compress'; preset: Preset['id'] | 'settings' }
  | { kind: 'save-as'; format: Exclude<OutputFormat, 'keep'> }
  | { kind: 'reveal' };

const PREFIX = 'traceless:';

const ITEMS: { id: string; title: string; parentId?: string; type?: 'separator' }[] = [
  { id: 'clean', title: 'Remove metadata and save' },
  { id: 'compress', title: 'Compress and save' },
  ...PRESETS.map((p) => ({ id: `compress:${p.id}`, title: p.title, parentId: 'compress' })),
  { id: 'compress:settings', title: 'With my settings', parentId: 'compress' },
  { id: 'save-as:jpeg', title: 'Save as JPEG' },
  { id: 'save-as:png', title: 'Save as PNG' },
  { id: 'save-as:webp', title: 'Save as WebP' },
  { id: 'separator', title: '', type: 'separator' },
  { id: 'reveal', title: 'Show what this image reveals' },
];

/** Menus persist across background restarts; (re)create them on install and update. */
export async function createMenus(): Promise<void> {
  await ext.contextMenus.removeAll();
  for (const item of ITEMS) {
    ext.contextMenus.create({
      id: PREFIX + item.id,
      title: item.title,
      type: item.type ?? 'normal',
      contexts: ['image'],
      ...(item.parentId ? { parentId: PREFIX + item.parentId } : {}),
    });
  }
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
      if (arg === 'jpeg' || arg === 'png' || arg === 'webp') return { kind: 'save-as', format: arg };
      return undefined;
    default:
      return undefined;
  }
}
