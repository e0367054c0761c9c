// Checks of an extension page as it is drawn, shared by the converter, language and
// pseudo-locale tests: accessibility (axe-core) and layout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './server.mjs';

const AXE = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2.1 A/AA violations on the page as it is now: "rule: target" strings. */
export async function accessibilityViolations(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  });
}

/** Layout faults: the page scrolls sideways, or a control's text spills out of its box. */
export function layoutFaults(page) {
  return page.evaluate(() => {
    const faults = [];
    const root = document.scrollingElement;
    if (root.scrollWidth > root.clientWidth + 1) faults.push(`the page is ${root.scrollWidth}px wide in ${root.clientWidth}px`);
    for (const el of document.querySelectorAll('button, label, select, summary, .tag, .status-line, h1, h2, legend')) {
      if (el.offsetParent === null) continue;
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') {
        faults.push(`${el.id || el.className || el.nodeName} spills (${el.scrollWidth} > ${el.clientWidth})`);
      }
    }
    return faults;
  });
}

/** Polls `fn(arg)` in the page until it returns something truthy. */
export async function until(page, fn, arg, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await page.evaluate(fn, arg);
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  // What the page showed, so a timeout in CI says whether it stalled or was only slow.
  const shown = await page.evaluate(() => document.body?.innerText ?? '').catch((e) => `(unreadable: ${e?.message})`);
  throw new Error(`timed out waiting for ${fn.toString().slice(0, 120)}; the page showed: ${JSON.stringify(String(shown).slice(0, 600))}`);
}
