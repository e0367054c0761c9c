// Firefox's `browser` and Chromium's MV3 `chrome` both return promises; Firefox
// also has `chrome`, but only `browser` gives its promise API everywhere. The
// few differences the extension meets are handled where they occur, so
// webextension-polyfill would not earn its weight.
const scope = globalThis as { browser?: typeof chrome; chrome?: typeof chrome };
export const ext: typeof chrome = (scope.browser ?? scope.chrome)!;

/** By the extension's own URL scheme: recent Chromium also defines `browser`. */
export function isFirefox(): boolean {
  return ext.runtime.getURL('').startsWith('moz-extension:');
}
