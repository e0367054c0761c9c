// The full-page converter: the popup's converter with room for big batches.
import { mountConverter } from '../converter/view';
import { localisePage, shown } from '../shared/i18n';

localisePage();
void mountConverter(document.getElementById('converter')!, 'page').finally(shown);
