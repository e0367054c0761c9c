// Options page: edits the settings the image menu uses.
import { DEFAULTS, loadSettings, sanitise, saveSettings, type Settings } from '../shared/settings';

const form = document.getElementById('settings') as HTMLFormElement;
const status = document.getElementById('status') as HTMLElement;

function field(name: keyof Settings): HTMLInputElement | HTMLSelectElement {
  return form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
}

function show(settings: Settings): void {
  (field('keepIcc') as HTMLInputElement).checked = settings.keepIcc;
  (field('keepOrientation') as HTMLInputElement).checked = settings.keepOrientation;
  field('format').value = settings.format;
  field('quality').value = String(settings.quality);
  field('maxDimension').value = String(settings.maxDimension);
}

function read(): Settings {
  return sanitise({
    keepIcc: (field('keepIcc') as HTMLInputElement).checked,
    keepOrientation: (field('keepOrientation') as HTMLInputElement).checked,
    format: field('format').value,
    quality: Number(field('quality').value),
    maxDimension: Number(field('maxDimension').value),
  });
}

async function save(settings: Settings, message: string): Promise<void> {
  try {
    await saveSettings(settings);
    show(settings);
    status.textContent = message;
  } catch (e) {
    status.textContent = `Not saved: ${(e as Error).message}`;
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void save(read(), 'Saved.');
});
document.getElementById('reset')!.addEventListener('click', () => void save({ ...DEFAULTS }, 'Defaults restored.'));

loadSettings().then(show, (e) => (status.textContent = `Could not load the settings: ${(e as Error).message}`));
