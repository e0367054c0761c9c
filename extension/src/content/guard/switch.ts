// Whether the user switched the guard off for this page, known at once: its listeners
// decide synchronously whether to take an event, and with the guard off they must
// take none, so the page gets the browser's own events as without the extension
// (before, only the files were left alone: clicks, drops and pastes were still
// taken and replayed, so every way the guard can differ from the browser stayed).
import { ext } from '../../shared/ext';
import { guardModeFor, loadSettings, type Settings } from '../../shared/settings';

/** Until the settings are read, the guard is on: nothing is let through unseen. */
let off = false;

export const guardIsOff = (): boolean => off;

/** Follows the settings: read now, and again whenever they change. */
export function followGuardSwitch(current: () => Promise<Settings>): void {
  const update = (settings: Settings) => (off = guardModeFor(settings, location.origin) === 'off');
  void current().then(update, () => undefined);
  ext.storage.onChanged.addListener((_changes, area) => {
    if (area === 'sync') void loadSettings().then(update, () => undefined);
  });
}
