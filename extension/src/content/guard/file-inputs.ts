// What a click or an event is about: a page's file input.

export const isFileInput = (el: unknown): el is HTMLInputElement => el instanceof HTMLInputElement && el.type === 'file';

/** Content whose click a label does not pass on to its control (HTML: the label element's activation behaviour). */
const INTERACTIVE = 'a[href], button, input, select, textarea, summary, iframe, embed, object, [contenteditable=""], [contenteditable="true"]';

/** The file input a click on `el` opens: itself, or its label's (also from text or an image inside that label). */
export function inputOpenedBy(el: unknown): HTMLInputElement | undefined {
  if (isFileInput(el)) return el;
  if (!(el instanceof Element)) return undefined;
  const label = el.closest('label');
  if (!label || !isFileInput(label.control)) return undefined;
  const interactive = el.closest(INTERACTIVE);
  return interactive && label.contains(interactive) ? undefined : label.control;
}

/**
 * Whether the browser would refuse `input` a choice or a drop: disabled itself, or by a
 * `<fieldset disabled>` around it (the `disabled` property knows only the former).
 */
export const isDisabled = (input: HTMLInputElement): boolean => input.matches(':disabled');
