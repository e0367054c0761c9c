// The toolbar badge counts the files the upload guard cleaned in each tab, or marks one
// whose page got around the guard; where the page cannot be told (notify.ts), it shows a
// menu action's outcome, unless it holds a count or the mark.
import { ext } from '../shared/ext';
import { t, tn } from '../shared/i18n';

export type CleanedCount = { type: 'traceless:cleaned'; count: number };

export function isCleanedCount(value: unknown): value is CleanedCount {
  const v = value as Partial<CleanedCount> | null;
  return v?.type === 'traceless:cleaned' && Number.isInteger(v.count) && v.count! > 0 && v.count! <= 10_000;
}

export type GuardLost = { type: 'traceless:guard-lost' };

export function isGuardLost(value: unknown): value is GuardLost {
  return (value as Partial<GuardLost> | null)?.type === 'traceless:guard-lost';
}

/** The mark of a page that got around the guard: it stays as the count would. */
const LOST_MARK = '!';
/**
 * Each tab's badge changes, one after the other: a count read before the mark and written
 * after it would take the mark away (a page can time its attack to a cleaned upload).
 */
const pending = new Map<number, Promise<void>>();
function inTurn(tabId: number, change: () => Promise<void>): Promise<void> {
  const next = (pending.get(tabId) ?? Promise.resolve()).then(change, change);
  pending.set(tabId, next);
  void next.finally(() => pending.get(tabId) === next && pending.delete(tabId)).catch(() => undefined);
  return next;
}

/** The badge text itself holds the count, so it survives the background being restarted. */
export function countCleaned(tabId: number, count: number): Promise<void> {
  return inTurn(tabId, async () => {
    const text = await ext.action.getBadgeText({ tabId });
    if (text === LOST_MARK) return;
    const shown = Number.parseInt(text, 10);
    const total = (Number.isFinite(shown) ? shown : 0) + count;
    await ext.action.setBadgeBackgroundColor({ color: '#12706e', tabId });
    await ext.action.setBadgeText({ text: total > 999 ? '999+' : String(total), tabId });
    await ext.action.setTitle({ title: tn('badgeCleaned', total), tabId });
  });
}

/**
 * The badge text holds what the guard has to say (a count, or the mark), which a menu
 * action's outcome must not replace: the mark is the one warning that the page can read
 * the user's originals, and a count read back as "✓" started again from nothing.
 */
export function holdsGuardState(text: string): boolean {
  return text === LOST_MARK || /^\d/.test(text);
}

/**
 * A menu action's outcome on the tab's badge (notify.ts), in turn with the counts and the
 * mark. A count stays, and only the words (the title) are the outcome's; false when the
 * mark is there: the outcome must then be shown elsewhere.
 */
export async function showOutcome(tabId: number, mark: string, color: string, title: string): Promise<boolean> {
  let shown = true;
  await inTurn(tabId, async () => {
    const text = await ext.action.getBadgeText({ tabId });
    if (text === LOST_MARK) {
      shown = false;
      return;
    }
    if (!holdsGuardState(text)) {
      await ext.action.setBadgeBackgroundColor({ color, tabId });
      await ext.action.setBadgeText({ text: mark, tabId });
    }
    await ext.action.setTitle({ title, tabId });
  });
  return shown;
}

/** A page in the tab got its listeners ahead of the upload guard's (content/main.ts). */
export function markGuardLost(tabId: number): Promise<void> {
  return inTurn(tabId, async () => {
    await ext.action.setBadgeBackgroundColor({ color: '#b3261e', tabId });
    await ext.action.setBadgeText({ text: LOST_MARK, tabId });
    await ext.action.setTitle({ title: t('badgeGuardLost'), tabId });
  });
}
