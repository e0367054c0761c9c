// A small, dismissible notice drawn in a closed shadow root: the page can
// neither style nor read it.
import { t } from '../shared/i18n';

const STYLE = `
:host { all: initial; }
.box { position: fixed; z-index: 2147483647; right: 16px; bottom: 16px; max-width: 360px;
  display: flex; gap: 12px; align-items: flex-start; padding: 12px 14px; border-radius: 10px;
  font: 14px/1.4 system-ui, sans-serif; color: #fff; background: #12706e; box-shadow: 0 4px 16px rgba(0,0,0,.3); }
.box.error { background: #b3261e; }
.box { flex-wrap: wrap; }
.text { flex: 1; overflow-wrap: anywhere; }
.action { flex-basis: 100%; text-align: center; font-size: 14px; padding: 6px 10px; border: 1px solid #fff; border-radius: 6px; }
button { all: unset; cursor: pointer; font-size: 18px; line-height: 1; padding: 0 2px; }
button:focus-visible { outline: 2px solid #fff; border-radius: 4px; }
`;

const SHOWN_MS = 8000;
const MARGIN = 16;
const GAP = 8;

/** Notices on screen, oldest first: they stack upwards, the newest at the bottom. */
const shown: { host: HTMLElement; box: HTMLElement }[] = [];

function layout(): void {
  let bottom = MARGIN;
  for (const { box } of [...shown].reverse()) {
    box.style.bottom = `${bottom}px`;
    bottom += box.getBoundingClientRect().height + GAP;
  }
}

function remove(host: HTMLElement): void {
  const i = shown.findIndex((n) => n.host === host);
  if (i >= 0) shown.splice(i, 1);
  host.remove();
  layout();
}

export interface NoticeAction {
  label: string;
  /** Whether it was done: a notice whose action the user called off stays. */
  run: () => boolean;
}

export function showNotice(text: string, tone: 'info' | 'error', action?: NoticeAction): void {
  const host = document.createElement('traceless-notice');
  const root = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = STYLE;
  const box = document.createElement('div');
  box.className = `box ${tone}`;
  box.setAttribute('role', tone === 'error' ? 'alert' : 'status');
  const label = document.createElement('div');
  label.className = 'text';
  label.textContent = t('noticePrefix', text);
  const close = document.createElement('button');
  close.textContent = '×';
  close.setAttribute('aria-label', t('noticeDismiss'));
  close.addEventListener('click', () => remove(host));
  box.append(label, close);
  if (action) {
    // Last in the notice, so it is also the last stop of the page's keyboard order.
    const button = document.createElement('button');
    button.className = 'action';
    button.textContent = action.label;
    button.addEventListener('click', () => {
      if (action.run()) remove(host);
    });
    box.append(button);
  }
  root.append(style, box);
  (document.body ?? document.documentElement).append(host);
  shown.push({ host, box });
  layout();
  if (tone === 'info' && !action) setTimeout(() => remove(host), SHOWN_MS);
}
