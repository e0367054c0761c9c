/**
 * Whether a DataTransfer made by script gives its files no file-system entries
 * (Chromium: it has no isolated file system to put them in; Firefox makes them). There
 * main-world.ts makes replayed drops' entries, and so a dropped folder can be given back
 * as one (guard/dropped-folders.ts). main-world.ts asks before any page script runs.
 */
export function scriptDropsHaveNoEntries(): boolean {
  try {
    const transfer = new DataTransfer();
    transfer.items.add(new File([], 'probe'));
    return transfer.items[0].webkitGetAsEntry() === null;
  } catch {
    return false;
  }
}
