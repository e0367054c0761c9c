// Tells the user how a menu action went: an in-page notice drawn by the content
// script, or, where no content script runs (browser pages), the toolbar badge.
import { ext } from '../shared/ext';
import type { ContentRequest } from '../shared/messages';
import { t } from '../shared/i18n';

type Tone = 'info' | 'error' | 'working';

const BADGE: Record<Tone, { color: string; text: string }> = {
  info: { color: '#12706e', text: '✓' },
  error: { color: '#b3261e', text: '!' },
  working: { color: '#34495e', text: '…' },
};

/**
 * Never rejects: a notice that cannot be shown (its tab closed meanwhile) must not turn a saved file into a failure.
 * `key`: a notice with the same key on the page is replaced (a working notice by the outcome).
 */
export async function notify(tabId: number | undefined, text: string, tone: Tone, key?: string, elapsedMs?: number): Promise<void> {
  if (tabId !== undefined && tabId >= 0) {
    const request: ContentRequest = { type: 'traceless:notice', text, tone, key, elapsedMs };
    try {
      await ext.tabs.sendMessage(tabId, request, { frameId: 0 });
      return;
    } catch {
      // No content script in that tab: fall through to the badge.
    }
  }
  const badge = async (details: { tabId?: number }) => {
    await ext.action.setBadgeBackgroundColor({ color: BADGE[tone].color, ...details });
    await ext.action.setBadgeText({ text: BADGE[tone].text, ...details });
    await ext.action.setTitle({ title: t('noticePrefix', text), ...details });
  };
  try {
    await badge(tabId !== undefined && tabId >= 0 ? { tabId } : {});
  } catch {
    // The tab is gone: there is no one to tell there.
  }
}

/** Work that ends sooner than this shows no working notice. */
const SHOW_AFTER_MS = 1000;
let jobs = 0;

/**
 * "Working on it" for a menu job that takes more than a moment (a large photo saved as
 * AVIF takes over a minute): shown after a second, its words changed as the job goes on,
 * and replaced by the outcome, which is sent under `key`.
 */
export class WorkingNotice {
  readonly key = `traceless-menu-${++jobs}`;
  private readonly started = Date.now();
  private readonly timer: ReturnType<typeof setTimeout>;
  private shown = false;
  /** The last notice sent: the outcome must not overtake it. */
  private sent: Promise<void> = Promise.resolve();

  constructor(
    private readonly tabId: number | undefined,
    private text: string,
  ) {
    this.timer = setTimeout(() => {
      this.shown = true;
      this.send();
    }, SHOW_AFTER_MS);
  }

  say(text: string): void {
    this.text = text;
    if (this.shown) this.send();
  }

  /** The outcome, in place of the working notice. */
  async end(text: string, tone: 'info' | 'error'): Promise<void> {
    clearTimeout(this.timer);
    await this.sent;
    await notify(this.tabId, text, tone, this.key);
  }

  private send(): void {
    const text = this.text;
    this.sent = this.sent.then(() => notify(this.tabId, text, 'working', this.key, Date.now() - this.started));
  }
}
