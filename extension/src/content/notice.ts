// A small, dismissible notice drawn in a closed shadow root: the page can
// neither style nor read it. Its words (and its button's) are CSS generated content, not text in the
// document: `window.find` reaches text even in a closed shadow root (both browsers,
// session 33), and would tell the page what a photo held ("Removed location…").
// Generated content is not searched, and screen readers still read it.
import { formatNumber, t } from '../shared/i18n';
import { listen } from './lasting-listeners';

const STYLE = `
:host { all: initial; }
.box { position: fixed; z-index: 2147483647; right: 16px; bottom: 16px; max-width: 360px;
  display: flex; gap: 12px; align-items: flex-start; padding: 12px 14px; border-radius: 10px;
  font: 14px/1.4 system-ui, sans-serif; color: #fff; background: #12706e; box-shadow: 0 4px 16px rgba(0,0,0,.3); }
.box.error { background: #b3261e; }
.box.working { background: #34495e; }
.box { flex-wrap: wrap; }
.text { flex: 1; overflow-wrap: anywhere; }
.text::before { content: attr(data-words); }
.action::before { content: attr(data-words); }
.elapsed { opacity: .8; font-variant-numeric: tabular-nums; white-space: nowrap; }
.spinner { width: 14px; height: 14px; margin-top: 2px; border: 2px solid rgba(255,255,255,.35);
  border-top-color: #fff; border-radius: 50%; animation: spin 1s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
.action { flex-basis: 100%; text-align: center; font-size: 14px; padding: 6px 10px; border: 1px solid #fff; border-radius: 6px; }
button { all: unset; cursor: pointer; font-size: 18px; line-height: 1; padding: 0 2px; }
button:focus-visible { outline: 2px solid #fff; border-radius: 4px; }
`;

const SHOWN_MS = 8000;
const MARGIN = 16;
const GAP = 8;

/**
 * `info`: done, goes by itself; `error`: stays until dismissed; `working`: long work under
 * way, with the time it has taken so far, until a notice with the same key replaces it.
 */
export type Tone = 'info' | 'error' | 'working';

interface Shown {
  host: HTMLElement;
  box: HTMLElement;
  tone: Tone;
  key?: string;
  handle: NoticeHandle;
  /** Stops a working notice's clock and its deadline. */
  stop?: () => void;
  /** A working notice from the background: the time by which it must be refreshed or replaced. */
  refresh?: (withinMs: number) => void;
}

/** Keys of working notices the user closed: the same work's later words do not bring them back (its outcome does). */
const dismissed = new Set<string>();

/** Notices on screen, oldest first: they stack upwards, the newest at the bottom. */
const shown: Shown[] = [];

function layout(): void {
  let bottom = MARGIN;
  for (const { box } of [...shown].reverse()) {
    box.style.bottom = `${bottom}px`;
    bottom += box.getBoundingClientRect().height + GAP;
  }
}

function remove(notice: Shown | undefined): void {
  if (!notice) return;
  const i = shown.indexOf(notice);
  if (i >= 0) shown.splice(i, 1);
  notice.stop?.();
  const holder = notice.host.parentNode;
  notice.host.remove();
  // The root element the guard gave a page without one goes with its last notice.
  if (holder && holder === rootHolder && !holder.hasChildNodes()) rootHolder.remove();
  layout();
}

/** Takes down the notice shown under `key`, if any (the work it told of ended without a word to say). */
export function removeNotice(key: string): void {
  remove(shown.find((n) => n.key === key));
}

export interface NoticeAction {
  label: string;
  /** Whether it was done: a notice whose action the user called off stays. */
  run: () => boolean;
  /** Called when the user closes the notice without it. */
  declined?: () => void;
}

export interface NoticeOptions {
  action?: NoticeAction;
  /**
   * A notice with the same key is replaced by this one (a "working" notice by its outcome);
   * a working notice by a working notice is updated in place.
   */
  key?: string;
  /** For a working notice: how long the work has already taken, in ms. */
  elapsedMs?: number;
  /**
   * For a working notice from the background: it says so again within this time while the
   * work goes on. Past it, the work is taken as lost (the browser stopped the background)
   * and the notice says so, rather than tick on for ever.
   */
  refreshWithinMs?: number;
}

/** A notice on screen whose words can change (a working notice's count). */
export interface NoticeHandle {
  say(text: string): void;
}

const NOWHERE: NoticeHandle = { say: () => undefined };

/**
 * The element a notice is drawn in, with its closed shadow root. A page that defined
 * `traceless-notice` as a custom element of its own has its constructor run on it, which
 * could take the shadow root first or forbid one, and so make every notice fail
 * (tests/e2e/hostile/custom-element-notice.html): then a name of the same kind that the
 * page cannot know in advance (not crypto.randomUUID(): http pages lack it).
 */
function noticeHost(): { host: HTMLElement; root: ShadowRoot } {
  const host = document.createElement('traceless-notice');
  if (!host.matches(':defined')) {
    try {
      return { host, root: host.attachShadow({ mode: 'closed' }) };
    } catch {
      // a definition of the page's that failed to construct and forbids shadow roots
    }
  }
  const random = Array.from(crypto.getRandomValues(new Uint32Array(2)), (n) => n.toString(36)).join('');
  const other = document.createElement(`traceless-notice-${random}`);
  return { host: other, root: other.attachShadow({ mode: 'closed' }) };
}

/** The root element the guard gives a page without one, made when first needed. */
let rootHolder: Element | undefined;

/**
 * Where notices go: the body, else the root element; a page without one (it took it away:
 * tests/e2e/hostile/notice-rootless.html) gets a root element of the guard's, which holds
 * every notice (a notice's own element as the root would hide the next one, drawn inside it).
 */
function noticeParent(): ParentNode {
  const parent = document.body ?? document.documentElement;
  if (parent) return parent;
  // A name without a hyphen: no page can make it a custom element of its own.
  rootHolder ??= document.createElement('tracelessnotices');
  document.append(rootHolder);
  return rootHolder;
}

export function showNotice(text: string, tone: Tone, options: NoticeOptions = {}): NoticeHandle {
  const { action, key, elapsedMs = 0, refreshWithinMs } = options;
  const current = key === undefined ? undefined : shown.find((n) => n.key === key);
  if (tone === 'working' && key !== undefined) {
    if (current?.tone === 'working') {
      current.handle.say(text);
      if (refreshWithinMs !== undefined) current.refresh?.(refreshWithinMs);
      return current.handle;
    }
    if (dismissed.has(key)) return NOWHERE;
  }
  remove(current);
  const { host, root } = noticeHost();
  const style = document.createElement('style');
  style.textContent = STYLE;
  const box = document.createElement('div');
  box.className = `box ${tone}`;
  box.setAttribute('role', tone === 'error' ? 'alert' : 'status');
  const label = document.createElement('div');
  label.className = 'text';
  label.dataset.words = t('noticePrefix', text);
  const handle: NoticeHandle = {
    say: (next: string) => {
      // A live region reads its whole text out on each change: a count going up would be
      // read out again and again. Said once when it appears; the changes are for the eye.
      box.setAttribute('aria-live', 'off');
      label.dataset.words = t('noticePrefix', next);
      layout();
    },
  };
  const notice: Shown = { host, box, tone, key, handle };
  if (tone === 'working') {
    const spinner = document.createElement('div');
    spinner.className = 'spinner';
    spinner.setAttribute('aria-hidden', 'true');
    box.append(spinner);
    // The time so far says the work is not stuck; not announced every second (aria-hidden).
    const elapsed = document.createElement('span');
    elapsed.className = 'elapsed';
    elapsed.setAttribute('aria-hidden', 'true');
    const since = Date.now() - elapsedMs;
    const tick = () => {
      const seconds = Math.round((Date.now() - since) / 1000);
      elapsed.textContent = ` ${formatNumber(seconds, { style: 'unit', unit: 'second', unitDisplay: 'short' })}`;
    };
    tick();
    const clock = setInterval(tick, 1000);
    let deadline: ReturnType<typeof setTimeout> | undefined;
    notice.refresh = (withinMs: number) => {
      clearTimeout(deadline);
      deadline = setTimeout(() => {
        if (shown.includes(notice)) showNotice(t('noticeWorkLost'), 'error', { key });
      }, withinMs);
    };
    if (refreshWithinMs !== undefined) notice.refresh(refreshWithinMs);
    notice.stop = () => {
      clearInterval(clock);
      clearTimeout(deadline);
    };
    label.append(elapsed);
  }
  const close = document.createElement('button');
  close.textContent = '×';
  close.setAttribute('aria-label', t('noticeDismiss'));
  close.addEventListener('click', () => {
    if (tone === 'working' && key !== undefined) dismissed.add(key);
    remove(notice);
    action?.declined?.();
  });
  box.append(label, close);
  if (action) {
    // Last in the notice, so it is also the last stop of the page's keyboard order.
    const button = document.createElement('button');
    button.className = 'action';
    // Drawn as its words are: the name of a file held back is the page's to find otherwise.
    button.dataset.words = action.label;
    button.addEventListener('click', () => {
      if (action.run()) remove(notice);
    });
    box.append(button);
  }
  root.append(style, box);
  noticeParent().append(host);
  shown.push(notice);
  layout();
  if (tone === 'info' && !action) setTimeout(() => remove(notice), SHOWN_MS);
  return handle;
}

// A page brought back from the back-forward cache: the work its working notices told of
// went on, or ended, while it was away, and their outcome went elsewhere.
listen(
  'pageshow',
  (event) => {
    if (!event.persisted) return;
    for (const notice of shown.filter((n) => n.tone === 'working')) remove(notice);
  },
  {},
);
