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
    const original = $<HTMLImageElement>('before');
    const image = $<HTMLImageElement>('after');
    if (!item) {
      // Nothing shown keeps nothing: the original and its copy (a HEIC's picture is 48 MB) go.
      for (const side of ['before', 'after'] as const) this.release(side, side === 'before' ? original : image);
      return;
    }
    $('compare-name').textContent = item.path;
    // A video has no picture to compare here: its facts only.
    original.hidden = Boolean(item.video);
    if (item.video) this.release('before', original);
    else original.src = this.urlOf('before', before ?? item.file);
    if (after && !item.video) {
      image.src = this.urlOf('after', after);
      image.hidden = false;
    } else {
      image.hidden = true;
      this.release('after', image);
    }
    const pixels = (size?: { width: number; height: number }) => (size ? `${t('dimensions', String(size.width), String(size.height))}, ` : '');
    const facts = [t('compareBefore', `${pixels(item.report && upright(item.report))}${formatBytes(item.file.size)}`)];
    if (after) {
      const size = pixels(item.result && after === item.result.blob ? item.result : undefined);
      facts.push(t('compareAfter', `${size}${formatBytes(after.size)} (${change(item.file.size, after.size)})`));
    }
    $('compare-facts').textContent = facts.join(' · ');
  }

  /** Lets `side`'s picture go: off the page, and its object URL revoked. */
  private release(side: 'before' | 'after', element: HTMLImageElement): void {
    element.removeAttribute('src');
    const held = this.urls.get(side);
    if (held) URL.revokeObjectURL(held.url);
    this.urls.delete(side);
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
