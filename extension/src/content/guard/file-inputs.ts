// What a click or an event is about: a page's file input.
import { isElement, isFileInput, isLabel, isShadowRoot } from './kinds';

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

/** The element above `el`, or the host of the shadow root it is in (open roots: a click's path shows those). */
function composedParent(el: Element): Element | null {
  const parent = el.parentNode;
  return isShadowRoot(parent) ? parent.host : isElement(parent) ? parent : null;
}

/**
 * The file input a click on `el` opens: itself, or its label's (also from text or an image
 * inside that label, or inside a shadow root in it: tests/e2e/hostile/label-open-root-detached.html).
 */
export function inputOpenedBy(el: unknown): HTMLInputElement | undefined {
  if (isFileInput(el)) return el;
  if (!isElement(el)) return undefined;
  let interactive = false;
  for (let at: Element | null = el; at; at = composedParent(at)) {
    if (isLabel(at)) return !interactive && isFileInput(at.control) ? at.control : undefined;
    interactive ||= at.matches(INTERACTIVE);
  }
  return undefined;
}

/**
 * Whether the browser would refuse `input` a choice or a drop: disabled itself, or by a
 * `<fieldset disabled>` around it (the `disabled` property knows only the former).
 */
export const isDisabled = (input: HTMLInputElement): boolean => input.matches(':disabled');
