// Options page: edits the settings the image menu uses.
import { localisePage, shown, t } from '../shared/i18n';
import { ext } from '../shared/ext';
import { changeSiteRule, DEFAULTS, loadSettings, sanitise, saveSettingsButSites, siteOrigin, type GuardMode, type Settings } from '../shared/settings';

localisePage();
// Opened on install (background/main.ts): pages open since before were not guarded then.
document.getElementById('installed')!.hidden = !new URLSearchParams(location.search).has('installed');
const form = document.getElementById('settings') as HTMLFormElement;
const status = document.getElementById('status') as HTMLElement;

function field(name: keyof Settings): HTMLInputElement | HTMLSelectElement {
  return form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
}

const MODE_NAMES: Record<GuardMode, string> = {
  clean: t('modeClean'),
  recompress: t('modeRecompress'),
  off: t('modeOff'),
};

/**
 * The per-site rules as stored: each is saved when added or removed (not with the form), and
 * the list follows rules changed elsewhere (the popup) while the page is open.
 */
function showSites(sites: Record<string, GuardMode>): void {
  const list = document.getElementById('site-list')!;
  list.replaceChildren();
  for (const [origin, mode] of Object.entries(sites).sort()) {
    const item = document.createElement('li');
    const label = document.createElement('span');
    label.textContent = t('settingsSiteRuleLine', origin, MODE_NAMES[mode]);
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'secondary';
    remove.textContent = t('settingsRemove');
    remove.setAttribute('aria-label', t('settingsRemoveRule', origin));
    remove.addEventListener('click', () => void changeSite(origin, undefined));
    item.append(label, remove);
    list.append(item);
  }
}

document.getElementById('site-add')!.addEventListener('click', () => {
  const input = document.getElementById('site-origin') as HTMLInputElement;
  const origin = siteOrigin(input.value.trim());
  const error = document.getElementById('site-error')!;
  if (!origin) {
    error.textContent = t('settingsBadSite');
    return;
  }
  error.textContent = '';
  input.value = '';
  void changeSite(origin, (document.getElementById('site-mode') as HTMLSelectElement).value as GuardMode);
});

async function changeSite(origin: string, mode: GuardMode | undefined): Promise<void> {
  try {
    await changeSiteRule(origin, mode);
    showSites((await loadSettings()).siteModes);
    status.textContent = t('settingsSaved');
  } catch (e) {
    status.textContent = t('settingsNotSaved', (e as Error).message);
  }
}

ext.storage.onChanged.addListener((changes, area) => {
  if (area === 'sync' && 'siteModes' in changes) void loadSettings().then((settings) => showSites(settings.siteModes));
});

function show(settings: Settings): void {
  field('guardMode').value = settings.guardMode;
  (field('passUncleanable') as HTMLInputElement).checked = settings.passUncleanable;
  (field('heicToJpeg') as HTMLInputElement).checked = settings.heicToJpeg;
  (field('undatedNames') as HTMLInputElement).checked = settings.undatedNames;
  showSites(settings.siteModes);
  (field('keepIcc') as HTMLInputElement).checked = settings.keepIcc;
  (field('keepOrientation') as HTMLInputElement).checked = settings.keepOrientation;
  field('format').value = settings.format;
  field('quality').value = String(settings.quality);
  field('maxDimension').value = String(settings.maxDimension);
}

function read(): Settings {
  return sanitise({
    guardMode: field('guardMode').value,
    passUncleanable: (field('passUncleanable') as HTMLInputElement).checked,
    heicToJpeg: (field('heicToJpeg') as HTMLInputElement).checked,
    undatedNames: (field('undatedNames') as HTMLInputElement).checked,
    keepIcc: (field('keepIcc') as HTMLInputElement).checked,
    keepOrientation: (field('keepOrientation') as HTMLInputElement).checked,
    format: field('format').value,
    quality: Number(field('quality').value),
    maxDimension: Number(field('maxDimension').value),
  });
}

/** The form's settings; the site rules stay as they are stored ("Restore defaults" too: each has its own Remove). */
async function save(settings: Settings, message: string): Promise<void> {
  try {
    await saveSettingsButSites(settings);
    show(await loadSettings());
    status.textContent = message;
  } catch (e) {
    status.textContent = t('settingsNotSaved', (e as Error).message);
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void save(read(), t('settingsSaved'));
});
document.getElementById('reset')!.addEventListener('click', () => void save({ ...DEFAULTS }, t('settingsDefaultsRestored')));

loadSettings()
  .then(show, (e) => (status.textContent = t('settingsNotLoaded', (e as Error).message)))
  .finally(shown);
