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

/**
 * Every element under `root`, through nested shadow roots of either mode. A loop, not a
 * recursion: the guard's click listener asks this inside a page's click, and a page could
 * nest more roots than the stack room main-world.ts makes sure of before a click.
 */
export function elementsWithin(root: ParentNode): Element[] {
  const found: Element[] = [];
  // Each root's elements still to visit, last first; a root's come right after its host's.
  const pending = (within: ParentNode) => Array.from(within.querySelectorAll('*')).reverse();
  const stack: Element[][] = [pending(root)];
  while (stack.length) {
    const el = stack[stack.length - 1].pop();
    if (!el) {
      stack.pop();
      continue;
    }
    found.push(el);
    const inner = shadowRootOf(el);
    if (inner) stack.push(pending(inner));
  }
  return found;
}
