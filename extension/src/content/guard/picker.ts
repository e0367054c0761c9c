// The private file chooser: the page's file inputs never receive the user's
// original files.
//
// When a page's <input type=file> is about to open its chooser (a click event,
// the user's or a script's), this isolated-world listener, registered on window
// at document_start before any page listener, cancels that click and opens a
// chooser of its own instead, from an input the page has no reference to. The
// originals land there, out of the page's reach; the page's input then gets the
// cleaned copies, followed by input and change events, as if the user had
// chosen them. A page that polls, wraps a built-in, removes its input while the
// chooser is open, or listens on the input itself sees only cleaned files.
//
// What this cannot catch, inputs.ts still does (a second line): a native input
// event with files on a page input has its files taken out at once and cleaned.
import { deliver, type GuardHooks } from './inputs';
import { allFileInputsWithin, shadowRootOf } from './shadow';
import { listen } from '../lasting-listeners';
import { CLICK_MARK } from '../click-mark';
import { inputOpenedBy, isDisabled } from './file-inputs';
import { isElement, isFileInput, isShadowRoot } from './kinds';

/**
 * What a click is aimed at: the file input it would open, or the shadow root to ask.
 * Inside a closed shadow root the event reaches window retargeted to the host. The
 * input is then told at window where it can be: the one a page script's click marked
 * (click-mark.ts), the one under the pointer, or the focused one a key activated;
 * otherwise the root, which the event reaches after the page's capture listeners on
 * the way (tests/e2e/hostile/closed-root-decoy.html, closed-root-stopped.html), is asked.
 */
function aimOf(event: Event): HTMLInputElement | ShadowRoot | undefined {
  const target = event.composedPath()[0];
  // A label's click counts as its input's: that one would follow, but not where the guard
  // sees it if the page takes the label out of the document meanwhile
  // (tests/e2e/hostile/detached-by-label-click.html).
  const direct = inputOpenedBy(target);
  if (direct || !isElement(target)) return direct;
  const root = shadowRootOf(target);
  const inputs = root ? allFileInputsWithin(root) : [];
  if (!root || !inputs.length) return undefined;
  const mark = inputs.find((input) => input.hasAttribute(CLICK_MARK));
  if (mark) return mark;
  if (event.isTrusted && event instanceof MouseEvent) {
    const { clientX: x, clientY: y } = event;
    const hit = event.detail > 0 ? inputOpenedBy(innermost(root, (at) => at.elementFromPoint(x, y))) : undefined;
    const focused = event.detail === 0 ? inputOpenedBy(innermost(root, (at) => at.activeElement)) : undefined;
    if (hit ?? focused) return hit ?? focused;
  }
  return root;
}

/**
 * What `ask` finds in `root`, through the shadow roots inside it: a root answers with the
 * host of a root inside it, not what is in that one, so an input two closed roots deep was
 * not found, and the page, which had stopped the click before the outer root, got the
 * browser's chooser (tests/e2e/hostile/closed-root-nested.html, Firefox). As drops.ts's aimedAt().
 */
function innermost(root: ShadowRoot, ask: (root: ShadowRoot) => Element | null): Element | null {
  let found = ask(root);
  // An answer outside the root (the layout moved) is taken as it is, not gone into.
  if (!found || !root.contains(found)) return found;
  for (let depth = 0; depth < 32 && found; depth++) {
    const inner = shadowRootOf(found);
    const deeper = inner ? ask(inner) : null;
    if (!inner || !deeper || !inner.contains(deeper)) break;
    found = deeper;
  }
  return found;
}

/** A chooser like the page's input would have opened: same choices, our own element. */
function privateChooser(like: HTMLInputElement): HTMLInputElement {
  const mine = document.createElement('input');
  mine.type = 'file';
  mine.multiple = like.multiple;
  mine.accept = like.accept;
  mine.webkitdirectory = like.webkitdirectory;
  const capture = like.getAttribute('capture');
  if (capture !== null) mine.setAttribute('capture', capture);
  return mine;
}

export function guardChoosers(hooks: GuardHooks): void {
  // The chooser that is open, held until it closes. Nothing else refers to it (it is
  // never in the document), and an element a chooser is open for must not be
  // collected: Firefox under automation keeps only a weak reference to it (WebDriver
  // BiDi's setFiles then found "no such node", once in a CI run). A browser shows one
  // chooser at a time, and only for a click with the user's activation: a script's
  // click without one opens nothing and must not let go of the one that is open.
  let open: HTMLInputElement | undefined;
  const close = (mine: HTMLInputElement) => {
    if (open === mine) open = undefined;
  };
  // A label's click and the input's own that a page's handler on the label sends
  // (`input.click()`) are one choice: one chooser per input per task.
  let choosing: HTMLInputElement | undefined;
  const choose = (input: HTMLInputElement) => {
    if (choosing === input) return;
    choosing = input;
    setTimeout(() => {
      if (choosing === input) choosing = undefined;
    });
    const mine = privateChooser(input);
    if (navigator.userActivation?.isActive ?? true) open = mine;
    mine.addEventListener('cancel', () => {
      close(mine);
      input.dispatchEvent(new Event('cancel', { bubbles: true }));
    });
    mine.addEventListener('change', () => {
      close(mine);
      // Whatever the input held before is replaced, as the browser's chooser would.
      deliver(input, Array.from(mine.files ?? []), hooks);
    });
    mine.click();
  };

  const handled = new WeakSet<Event>();
  const onClick = (event: Event) => {
    if (handled.has(event)) return;
    const aim = aimOf(event);
    if (isShadowRoot(aim)) {
      // Asked again there (a root keeps the listener: a click a script sends from inside
      // it, which never reaches window, is seen there too).
      aim.addEventListener('click', onClick, { capture: true });
      return;
    }
    handled.add(event);
    if (!aim || hooks.off()) return;
    // The page's own chooser never opens; ours does, with the same user activation. Also
    // for an input disabled now: the page's listeners could enable it before the browser
    // looks (tests/e2e/hostile/disabled-race.html).
    event.preventDefault();
    // A click made with `new MouseEvent('click')` cannot be cancelled: the page's chooser
    // would open after it, so ours must open now and take the activation first
    // (tests/e2e/hostile/detached-pristine-dispatch.html), disabled input or not.
    if (!event.defaultPrevented) return choose(aim);
    // Otherwise once the click's dispatch is over: what the page's handlers set on the
    // input meanwhile (multiple, accept) is what the browser's chooser would have shown,
    // and an input they disabled or made something else opens none, as in the browser.
    setTimeout(() => {
      if (isFileInput(aim) && !isDisabled(aim)) choose(aim);
    });
  };
  listen('click', onClick, { capture: true });
}
