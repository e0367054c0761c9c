// Where the e2e tests write their screenshots. A test run writes them under
// target/ so it never dirties the checkout; `make screenshots` points this at
// docs/screenshots (with fixed test-server ports) to refresh the README's images
// as a deliberate step.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './server.mjs';

const dir = process.env.TRACELESS_SCREENSHOTS ?? join(root, 'target', 'screenshots');
mkdirSync(dir, { recursive: true });

/** The path for a screenshot named `name` (without extension). */
export function shot(name) {
  return join(dir, `${name}.png`);
}
