// Tells the user how a menu action went: an in-page notice drawn by the content
// script, or, where no content script runs (browser pages), the toolbar badge.
import { ext, isFirefox } from '../shared/ext';
import type { ContentRequest, ImageSource } from '../shared/messages';
import { t } from '../shared/i18n';
import { holdsGuardState, showOutcome } from './badge';

type Tone = 'info' | 'error' | 'working';

// Not "!" for a failure: that is the mark of a page that got around the guard (badge.ts).
const BADGE: Record<Exclude<Tone, 'working'>, { color: string; text: string }> = {
  info: { color: '#12706e', text: '✓' },
  error: { color: '#b3261e', text: '✗' },
};

/** A working notice is said again this often while its work goes on... */
const REFRESH_MS = 15_000;
/** ...and the page takes the work as lost (the browser stopped the background) when it is not, within this. */
const REFRESH_WITHIN_MS = 45_000;

/** Where a notice goes: the image's tab, else its window. */
export type NoticePlace = Pick<ImageSource, 'tabId' | 'windowId' | 'incognito' | 'foreignFrame' | 'tabPage'>;

/**
 * Never rejects: a notice that cannot be shown (its tab closed meanwhile) must not turn a saved file into a failure.
 * `key`: a notice with the same key on the page is replaced (a working notice by the outcome).
 */
export async function notify(place: NoticePlace, text: string, tone: Tone, key?: string, elapsedMs?: number): Promise<void> {
  const { tabId } = place;
  // An image in another site's frame: its name and what it held are not the page's to see.
  if (tabId !== undefined && tabId >= 0 && !place.foreignFrame) {
    const refreshWithinMs = tone === 'working' ? REFRESH_WITHIN_MS : undefined;
    const request: ContentRequest = { type: 'traceless:notice', text, tone, key, elapsedMs, refreshWithinMs, page: place.tabPage };
    try {
      // Not shown by a page other than the one clicked in (the tab has moved on): the badge.
      const reply = (await ext.tabs.sendMessage(tabId, request, { frameId: 0 })) as { shown?: boolean } | undefined;
      if (reply?.shown) return;
    } catch {
      // No content script in that tab: fall through to the badge.
    }
  }
  // The badge also counts the files cleaned in the tab: only outcomes go there, which say more.
  if (tone === 'working') return;
  const { color, text: mark } = BADGE[tone];
  const title = t('noticePrefix', text);
  try {
    let details = await badgePlace(place);
    if (details && 'tabId' in details) {
      // The tab's own badge, as badge.ts allows; where it shows the guard's mark, the window's.
      if (await showOutcome(details.tabId, mark, color, title)) return;
      details = windowBadge(place);
    }
    await ext.action.setBadgeBackgroundColor({ color, ...details });
    await ext.action.setBadgeText({ text: mark, ...details });
    // The words name the image: never on a badge every window shows when the image was a private window's.
    if (details || !place.incognito) await ext.action.setTitle({ title, ...details });
  } catch {
    // The tab is gone: there is no one to tell there.
  }
}

/**
 * The tab's badge; without a tab, that of the tab shown in the window when the outcome comes,
 * unless its badge counts the files the upload guard cleaned there or marks a page that got
 * around it (badge.ts keeps both in the badge's text): then the window's (Firefox; Chromium's
 * badge has no per-window state). Only the badge, never a notice in that tab's page: the page
 * is another site's, which must not read what the image was called. Else undefined: the badge
 * of every window.
 */
async function badgePlace({ tabId, windowId }: NoticePlace): Promise<{ tabId: number } | { windowId: number } | undefined> {
  if (tabId !== undefined && tabId >= 0) return { tabId };
  if (windowId === undefined) return undefined;
  const [shown] = await ext.tabs.query({ active: true, windowId }).catch(() => []);
  const counting = shown?.id !== undefined && holdsGuardState(await ext.action.getBadgeText({ tabId: shown.id }).catch(() => ''));
  if (shown?.id !== undefined && !counting) return { tabId: shown.id };
  return windowBadge({ windowId });
}

/** The window's badge (Firefox), else that of every window (Chromium's has no per-window state). */
function windowBadge({ windowId }: Pick<NoticePlace, 'windowId'>): { windowId: number } | undefined {
  return isFirefox() && windowId !== undefined ? { windowId } : undefined;
}

/** Work that ends sooner than this shows no working notice. */
const SHOW_AFTER_MS = 1000;

/**
 * "Working on it" for a menu job that takes more than a moment (a large photo saved as
 * AVIF takes over a minute): shown after a second, its words changed as the job goes on,
 * and replaced by the outcome, which is sent under `key`.
 */
export class WorkingNotice {
  /** Unique across restarts of the background: an earlier job's outcome on the page must not be taken for this one's. */
  readonly key = `traceless-menu-${crypto.randomUUID()}`;
  private readonly started = Date.now();
  private readonly timer: ReturnType<typeof setTimeout>;
  private refresher: ReturnType<typeof setInterval> | undefined;
  private shown = false;
  /** The last notice sent: the outcome must not overtake it. */
  private sent: Promise<void> = Promise.resolve();

  constructor(
    private readonly place: NoticePlace,
    private text: string,
  ) {
    this.timer = setTimeout(() => {
      this.shown = true;
      this.send();
      // Said again while the work goes on: the page's word that the background is still at it.
      this.refresher = setInterval(() => this.send(), REFRESH_MS);
    }, SHOW_AFTER_MS);
  }

  say(text: string): void {
    this.text = text;
    if (this.shown) this.send();
  }

  /** The outcome, in place of the working notice. */
  async end(text: string, tone: 'info' | 'error'): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.refresher);
    await this.sent;
    await notify(this.place, text, tone, this.key);
  }

  private send(): void {
    const text = this.text;
    this.sent = this.sent.then(() => notify(this.place, text, 'working', this.key, Date.now() - this.started));
  }
}
