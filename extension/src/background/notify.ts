// Tells the user how a menu action went: an in-page notice drawn by the content
// script, or, where no content script runs (browser pages), the toolbar badge.
import { ext } from '../shared/ext';
import type { ContentRequest } from '../shared/messages';
import { t } from '../shared/i18n';

export async function notify(tabId: number | undefined, text: string, tone: 'info' | 'error'): Promise<void> {
  if (tabId !== undefined && tabId >= 0) {
    const request: ContentRequest = { type: 'traceless:notice', text, tone };
    try {
      await ext.tabs.sendMessage(tabId, request, { frameId: 0 });
      return;
    } catch {
      // No content script in that tab: fall through to the badge.
    }
  }
  const details = tabId !== undefined && tabId >= 0 ? { tabId } : {};
  await ext.action.setBadgeBackgroundColor({ color: tone === 'error' ? '#b3261e' : '#12706e', ...details });
  await ext.action.setBadgeText({ text: tone === 'error' ? '!' : '✓', ...details });
  await ext.action.setTitle({ title: t('noticePrefix', text), ...details });
}
