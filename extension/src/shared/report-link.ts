// The "what this image reveals" page is addressed by the image it shows.
import type { ImageSource } from './messages';

export function reportPageUrl(source: ImageSource): string {
  return `/report.html#${encodeURIComponent(JSON.stringify(source))}`;
}

export function sourceFromHash(hash: string): ImageSource | undefined {
  try {
    const value = JSON.parse(decodeURIComponent(hash.replace(/^#/, ''))) as Partial<ImageSource>;
    if (typeof value.srcUrl !== 'string') return undefined;
    const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
    return {
      srcUrl: value.srcUrl,
      pageUrl: typeof value.pageUrl === 'string' ? value.pageUrl : undefined,
      tabId: int(value.tabId),
      frameId: int(value.frameId),
    };
  } catch {
    return undefined;
  }
}
