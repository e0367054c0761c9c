// The toolbar badge counts the files the upload guard cleaned in each tab.
import { ext } from '../shared/ext';
import { tn } from '../shared/i18n';

export type CleanedCount = { type: 'traceless:cleaned'; count: number };

export function isCleanedCount(value: unknown): value is CleanedCount {
  const v = value as Partial<CleanedCount> | null;
  return v?.type === 'traceless:cleaned' && Number.isInteger(v.count) && v.count! > 0 && v.count! <= 10_000;
}

/** The badge text itself holds the count, so it survives the background being restarted. */
export async function countCleaned(tabId: number, count: number): Promise<void> {
  const shown = Number.parseInt(await ext.action.getBadgeText({ tabId }), 10);
  const total = (Number.isFinite(shown) ? shown : 0) + count;
  await ext.action.setBadgeBackgroundColor({ color: '#12706e', tabId });
  await ext.action.setBadgeText({ text: total > 999 ? '999+' : String(total), tabId });
  await ext.action.setTitle({ title: tn('badgeCleaned', total), tabId });
}
