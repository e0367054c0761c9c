// Shadow roots, open and closed, as only an extension can see them.
import { isFileInput, isHtmlElement } from './kinds';

/** Chromium: chrome.dom.openOrClosedShadowRoot; Firefox: element.openOrClosedShadowRoot. */
export function shadowRootOf(element: Element): ShadowRoot | null {
  const firefox = (element as Element & { openOrClosedShadowRoot?: ShadowRoot | null }).openOrClosedShadowRoot;
  if (firefox !== undefined) return firefox;
  const dom = (globalThis as { chrome?: { dom?: { openOrClosedShadowRoot?: (e: HTMLElement) => ShadowRoot | null } } })
    .chrome?.dom;
  return isHtmlElement(element) ? (dom?.openOrClosedShadowRoot?.(element) ?? null) : element.shadowRoot;
}

/** File inputs with a selection under `root`, through nested shadow roots of either mode. */
export function fileInputsWithin(root: ParentNode): HTMLInputElement[] {
  return allFileInputsWithin(root).filter((input) => (input.files?.length ?? 0) > 0);
}

/** Every file input under `root`, through nested shadow roots of either mode. */
export function allFileInputsWithin(root: ParentNode): HTMLInputElement[] {
  return elementsWithin(root).filter(isFileInput);
}

/** Every element under `root`, through nested shadow roots of either mode. */
export function elementsWithin(root: ParentNode): Element[] {
  const found: Element[] = [];
  const visit = (node: ParentNode) => {
    for (const el of Array.from(node.querySelectorAll('*'))) {
      found.push(el);
      const inner = shadowRootOf(el);
      if (inner) visit(inner);
    }
  };
  visit(root);
  return found;
}
