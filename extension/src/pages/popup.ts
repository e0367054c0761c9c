// The toolbar popup: the upload guard's state for the current site, with a
// switch; the converter for the user's own images; the way to the settings
// and to the full-page converter.
import { mountConverter } from '../converter/view';
import { ext } from '../shared/ext';
import { localisePage, shown, t } from '../shared/i18n';
import { changeSiteRule, currentSettings, guardModeFor, siteOrigin, type GuardMode } from '../shared/settings';

localisePage();

const MODE_STATUS: Record<GuardMode, () => string> = {
  clean: () => t('popupHereClean'),
  recompress: () => t('popupHereRecompress'),
  off: () => t('popupHereOff'),
};

/** The tab the popup is about: the active one, or `?tab=ID` when opened as a page. */
async function targetTab(): Promise<chrome.tabs.Tab | undefined> {
  const id = Number(new URLSearchParams(location.search).get('tab'));
  if (Number.isInteger(id) && id > 0) return ext.tabs.get(id);
  const [tab] = await ext.tabs.query({ active: true, currentWindow: true });
  return tab;
}

async function siteSwitch(): Promise<void> {
  const tab = await targetTab();
  const origin = tab?.url ? siteOrigin(tab.url) : undefined;
  if (!origin || !/^https?:/.test(tab?.url ?? '')) {
    document.getElementById('no-site')!.hidden = false;
    return;
  }
  document.getElementById('site-label')!.textContent = t('popupUploadsTo', new URL(origin).host);
  document.getElementById('site-card')!.hidden = false;
  const select = document.getElementById('site-mode') as HTMLSelectElement;
  const status = document.getElementById('site-status')!;
  const show = async () => {
    const settings = await currentSettings();
    select.value = settings.siteModes[origin] ?? 'default';
    status.textContent = MODE_STATUS[guardModeFor(settings, origin)]();
  };
  // A choice for one site is stored by its address, in synced storage: made from a private
  // window, it would keep a record of the private visit. What applies there is shown.
  if (tab?.incognito) {
    select.disabled = true;
    document.getElementById('site-private')!.hidden = false;
    await show();
    return;
  }
  select.addEventListener('change', async () => {
    // This site's rule alone, in the rules as stored now (the settings page may have changed others).
    try {
      await changeSiteRule(origin, select.value === 'default' ? undefined : (select.value as GuardMode));
      status.textContent = t('settingsSaved');
    } catch (e) {
      // Not stored (storage.sync holds 8 KB a setting): said, and the choice shown is the one stored.
      status.textContent = t('settingsNotSaved', (e as Error).message);
      select.value = (await currentSettings()).siteModes[origin] ?? 'default';
      return;
    }
    setTimeout(() => void show(), 300);
  });
  await show();
}

document.getElementById('settings')!.addEventListener('click', () => void ext.runtime.openOptionsPage());
const converter = mountConverter(document.getElementById('converter')!, 'popup').then((mounted) => {
  document.getElementById('open-tab')!.addEventListener('click', () => void mounted.openInTab());
});
void Promise.allSettled([siteSwitch(), converter]).then(shown);
