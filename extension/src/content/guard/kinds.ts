// What kind of node something is, told by the DOM's own getters rather than `instanceof`.
//
// In Chromium a node has one wrapper per extension world, made in the realm (the frame)
// that first touched it and kept when the node moves to another document: an input a
// page made in a frame, shown to the guard there and then moved into the page, is no
// `instanceof HTMLInputElement` of the page's guard, which took it for something else and
// let the browser's chooser fill it (tests/e2e/hostile/frame-made-input.html). The
// getters check what the node is, whichever realm's wrapper it has. They are this
// world's own, which the page cannot replace.

const getter = (proto: object, name: string) => Object.getOwnPropertyDescriptor(proto, name)!.get!;
const nodeTypeOf = getter(Node.prototype, 'nodeType');
const localNameOf = getter(Element.prototype, 'localName');
const namespaceOf = getter(Element.prototype, 'namespaceURI');
const hostOf = getter(ShadowRoot.prototype, 'host');
const inputTypeOf = getter(HTMLInputElement.prototype, 'type');
const HTML = 'http://www.w3.org/1999/xhtml';

/** The node's type (Node.ELEMENT_NODE...), or 0 for what is not a node. */
function nodeType(x: unknown): number {
  if (typeof x !== 'object' || x === null) return 0;
  if (x instanceof Node) return x.nodeType; // this realm's own: the common case, no exception
  try {
    return nodeTypeOf.call(x) as number;
  } catch {
    return 0;
  }
}

export const isNode = (x: unknown): x is Node => nodeType(x) !== 0;

export const isElement = (x: unknown): x is Element => nodeType(x) === Node.ELEMENT_NODE;

export function isShadowRoot(x: unknown): x is ShadowRoot {
  if (nodeType(x) !== Node.DOCUMENT_FRAGMENT_NODE) return false;
  try {
    hostOf.call(x);
    return true;
  } catch {
    return false; // a plain fragment
  }
}

/** An HTML element of this local name ('input', 'label', 'form', 'textarea'). */
function isHtml(x: unknown, name: string): boolean {
  return isElement(x) && localNameOf.call(x) === name && namespaceOf.call(x) === HTML;
}

export const isHtmlElement = (x: unknown): x is HTMLElement => isElement(x) && namespaceOf.call(x) === HTML;

export const isInput = (x: unknown): x is HTMLInputElement => isHtml(x, 'input');

export const isFileInput = (x: unknown): x is HTMLInputElement => isInput(x) && inputTypeOf.call(x) === 'file';

export const isLabel = (x: unknown): x is HTMLLabelElement => isHtml(x, 'label');

export const isForm = (x: unknown): x is HTMLFormElement => isHtml(x, 'form');

export const isSlot = (x: unknown): x is HTMLSlotElement => isHtml(x, 'slot');

export const isTextArea = (x: unknown): x is HTMLTextAreaElement => isHtml(x, 'textarea');
