// What a click or an event is about: a page's file input.
import { isElement, isFileInput, isHtmlElement, isLabel, isShadowRoot } from './kinds';
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

/**
 * The element above `el` as the page is drawn: the slot it is shown in when its parent hosts
 * a shadow root (open or closed: a label there, around a `<slot>`, gets a click on the text
 * the page put in it), the host of the root it is in, or its parent.
 */
function flatParent(el: Element): Element | null {
  const parent = el.parentNode;
  if (isShadowRoot(parent)) return parent.host;
  if (!isElement(parent)) return null;
  const root = shadowRootOf(parent);
  if (root) {
    for (const slot of Array.from(root.querySelectorAll('slot'))) {
      if (slot.assignedNodes().includes(el)) return slot;
    }
  }
  return parent;
}

/** Interactive content as the browsers count it: HTML elements, and SVG links (measured). */
const isInteractive = (el: Element) =>
  isHtmlElement(el) ? el.matches(INTERACTIVE) : el.namespaceURI === SVG && el.localName === 'a';

/**
 * The file input a click on `el` opens: itself, or its label's (also from text or an image
 * inside that label, inside a shadow root in it (tests/e2e/hostile/label-open-root-detached.html),
 * or shown in a slot of a label in a shadow root (label-slotted-detached.html)).
 */
export function inputOpenedBy(el: unknown): HTMLInputElement | undefined {
  if (isFileInput(el)) return el;
  if (!isElement(el)) return undefined;
  let interactive = false;
  for (let at: Element | null = el; at; at = flatParent(at)) {
    if (isLabel(at)) return !interactive && isFileInput(at.control) ? at.control : undefined;
    interactive ||= isInteractive(at);
  }
  return undefined;
}

/**
 * Whether the browser would refuse `input` a choice or a drop: disabled itself, or by a
 * `<fieldset disabled>` around it (the `disabled` property knows only the former).
 */
export const isDisabled = (input: HTMLInputElement): boolean => input.matches(':disabled');
