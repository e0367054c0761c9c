// Whether the user switched the guard off for this page, known at once: its listeners
// decide synchronously whether to take an event, and with the guard off they must
// take none, so the page gets the browser's own events as without the extension
// (before, only the files were left alone: clicks, drops and pastes were still
// taken and replayed, so every way the guard can differ from the browser stayed).
import { ext } from '../../shared/ext';
import { guardModeFor, type Settings } from '../../shared/settings';
import { topSite } from './site';

/** Until the settings are read, the guard is on: nothing is let through unseen. */
let off = false;

export const guardIsOff = (): boolean => off;

/**
 * Follows the settings: `current` now, and again whenever they change. `current` is
 * currentSettings, whose own storage listener, added by the first call below and so
 * before this one, has begun the fresh read this one then waits for (no second read).
 * Only the latest read counts, should an older one resolve after it.
 */
export function followGuardSwitch(current: () => Promise<Settings>): void {
  let latest = 0;
  const follow = () => {
    const read = ++latest;
    void Promise.all([current(), topSite()]).then(([settings, site]) => {
      if (read === latest) off = guardModeFor(settings, site ?? location.origin) === 'off';
    }, () => undefined);
  };
  follow();
  ext.storage.onChanged.addListener((_changes, area) => {
    if (area === 'sync') follow();
  });
}
