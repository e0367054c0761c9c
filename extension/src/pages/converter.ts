// The full-page converter: the popup's converter with room for big batches.
import { mountConverter } from '../converter/view';

void mountConverter(document.getElementById('converter')!, 'page');
