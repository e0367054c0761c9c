// Firefox only: the converter's pages hand finished files here to be saved,
// because Firefox revokes a page's object URLs when it closes, and the toolbar
// popup closes as soon as the downloads panel or a "Save as" dialog opens.
// (Firefox's runtime messaging carries Blobs as they are; Chromium's does not,
// and Chromium's popup stays open, so there the page saves for itself.)
import { DownloadCancelled, downloadBlob } from '../shared/download';
import type { SaveReply, SaveRequest } from '../shared/messages';

export function isSaveRequest(value: unknown): value is SaveRequest {
  const v = value as Partial<SaveRequest> | null;
  return v?.type === 'traceless:save' && v.blob instanceof Blob && typeof v.filename === 'string' && v.filename.length > 0;
}

export async function save(request: SaveRequest): Promise<SaveReply> {
  try {
    return { id: await downloadBlob(request.blob, request.filename, request.incognito === true) };
  } catch (e) {
    if (e instanceof DownloadCancelled) return { cancelled: true };
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
