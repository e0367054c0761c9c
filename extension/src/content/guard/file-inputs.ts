// What a click or an event is about: a page's file input.
import { isElement, isFileInput, isHtmlElement, isLabel, isShadowRoot, isSlot } from './kinds';
import { shadowRootOf } from './shadow';

/**
 * Content whose click a label does not pass on to its control (HTML: interactive content),
 * as both browsers have it (measured in Chromium 156 and Firefox 153 with a checkbox's
 * label): editable text, an `<object>`, a link without `href`, `tabindex` or a `role` do
 * not stop it; a `<details>` does, and interactive content in an open shadow root inside
 * the label does too. A click the guard takes for a label's when the browser would not
 * opens a chooser nobody asked for; the other way round, the browser's chooser opens
 * where the guard is not looking (tests/e2e/hostile/label-editable-detached.html).
 */
const INTERACTIVE =
  'a[href], button, input:not([type="hidden" i]), select, textarea, details, iframe, embed, img[usemap], audio[controls], video[controls]';

const SVG = 'http://www.w3.org/2000/svg';

/** The element above `el`: its parent, or the host of the shadow root it is in. */
function parentOrHost(el: Element): Element | null {
  const parent = el.parentNode;
  return isShadowRoot(parent) ? parent.host : isElement(parent) ? parent : null;
}

/**
 * The element above `el` as the page is drawn: the slot it is shown in when its parent hosts
 * a shadow root (`assignedSlot` for an open root; a closed root's slots asked), the host of
 * the root it is in, or its parent.
 */
function flatParent(el: Element): Element | null {
  const slot = el.assignedSlot;
  if (slot) return slot;
  const parent = el.parentNode;
  if (isShadowRoot(parent)) return parent.host;
  if (!isElement(parent)) return null;
  const root = shadowRootOf(parent);
  if (root?.mode === 'closed') {
    for (const candidate of Array.from(root.querySelectorAll('slot'))) {
      // An SVG <slot> has no assignedNodes (and slots nothing).
      if (isSlot(candidate) && candidate.assignedNodes().includes(el)) return candidate;
    }
  }
  return parent;
}

/** Interactive content as the browsers count it: HTML elements, and SVG links (measured). */
const isInteractive = (el: Element) =>
  isHtmlElement(el) ? el.matches(INTERACTIVE) : el.namespaceURI === SVG && el.localName === 'a' && el.matches('[href]');

/**
 * The file input a click on `el` opens: itself, or its label's. A label among its parents
 * (through shadow roots to their hosts: tests/e2e/hostile/label-open-root-detached.html)
 * passes the click on unless interactive content lies between them on that way, which is
 * all Chromium looks at (read in its source by a review; Firefox looks at the drawn tree).
 * A label it is shown in only through a slot (label-slotted-detached.html) passes it on
 * whatever lies between, in Chromium: taken as the input's, a chooser too many at worst.
 */
export function inputOpenedBy(el: unknown): HTMLInputElement | undefined {
  if (isFileInput(el)) return el;
  if (!isElement(el)) return undefined;
  let interactive = false;
  for (let at: Element | null = el; at; at = parentOrHost(at)) {
    if (isLabel(at)) return !interactive && isFileInput(at.control) ? at.control : undefined;
    interactive ||= isInteractive(at);
  }
  for (let at = flatParent(el); at; at = flatParent(at)) {
    if (isLabel(at)) return isFileInput(at.control) ? at.control : undefined;
  }
  return undefined;
}

/**
 * Whether the browser would refuse `input` a choice or a drop: disabled itself, or by a
 * `<fieldset disabled>` around it (the `disabled` property knows only the former).
 */
export const isDisabled = (input: HTMLInputElement): boolean => input.matches(':disabled');
