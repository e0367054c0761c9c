// Tells the user how a menu action went: an in-page notice drawn by the content
// script, or, where no content script runs (browser pages), the toolbar badge.
import { ext } from '../shared/ext';
import type { ContentRequest } from '../shared/messages';
import { t } from '../shared/i18n';

/** Never rejects: a notice that cannot be shown (its tab closed meanwhile) must not turn a saved file into a failure. */
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
  const badge = async (details: { tabId?: number }) => {
    await ext.action.setBadgeBackgroundColor({ color: tone === 'error' ? '#b3261e' : '#12706e', ...details });
    await ext.action.setBadgeText({ text: tone === 'error' ? '!' : '✓', ...details });
    await ext.action.setTitle({ title: t('noticePrefix', text), ...details });
  };
  try {
    await badge(tabId !== undefined && tabId >= 0 ? { tabId } : {});
  } catch {
    // The tab is gone: there is no one to tell there.
  }
}
