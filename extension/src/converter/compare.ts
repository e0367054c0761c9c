// The before/after comparison of the selected image: the original and its
// copy (or the live preview) stacked, the copy clipped at the slider's position.
import { change, formatBytes } from '../shared/sizes';
import { upright, type Item } from './batch';
import { byId } from './dom';
import { t } from '../shared/i18n';

export class Comparison {
  private readonly urls = new Map<string, { blob: Blob; url: string }>();

  constructor(private readonly root: ParentNode) {
    const position = byId<HTMLInputElement>(root, 'compare-position');
    position.addEventListener('input', () => {
      byId(root, 'compare-view').style.setProperty('--position', `${position.value}%`);
    });
  }

  /**
   * Shows `item` with `after` as its copy (none yet: only the original); undefined hides it.
   * `before`: what to show as the original when the browser cannot show the file itself (a HEIC, an AVIF its decoder refuses).
   */
  show(item: Item | undefined, after: Blob | undefined, before?: Blob): void {
    const $ = <T extends HTMLElement>(id: string) => byId<T>(this.root, id);
    $('compare').hidden = !item;
    if (!item) return;
    $('compare-name').textContent = item.path;
    // A video has no picture to compare here: its facts only.
    const original = $<HTMLImageElement>('before');
    original.hidden = Boolean(item.video);
    if (item.video) original.removeAttribute('src');
    else original.src = this.urlOf('before', before ?? item.file);
    const image = $<HTMLImageElement>('after');
    if (after && !item.video) {
      image.src = this.urlOf('after', after);
      image.hidden = false;
    } else {
      image.hidden = true;
      image.removeAttribute('src');
    }
    const pixels = (size?: { width: number; height: number }) => (size ? `${t('dimensions', String(size.width), String(size.height))}, ` : '');
    const facts = [t('compareBefore', `${pixels(item.report && upright(item.report))}${formatBytes(item.file.size)}`)];
    if (after) {
      const size = pixels(item.result && after === item.result.blob ? item.result : undefined);
      facts.push(t('compareAfter', `${size}${formatBytes(after.size)} (${change(item.file.size, after.size)})`));
    }
    $('compare-facts').textContent = facts.join(' · ');
  }

  /** One object URL per side, replaced (and the old one revoked) when its Blob changes. */
  private urlOf(side: 'before' | 'after', blob: Blob): string {
    const held = this.urls.get(side);
    if (held?.blob === blob) return held.url;
    if (held) URL.revokeObjectURL(held.url);
    const url = URL.createObjectURL(blob);
    this.urls.set(side, { blob, url });
    return url;
  }
}
