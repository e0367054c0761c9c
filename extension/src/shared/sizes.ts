// Sizes and their changes, written as the user's language writes them.
import { formatNumber, t, tn } from './i18n';

/** "512 bytes", "12.5 KB", "3.4 MB" (1 KB = 1,024 bytes). */
export function formatBytes(n: number): string {
  const oneDecimal = (x: number) => formatNumber(x, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  if (n < 1024) return tn('sizeBytes', n);
  if (n < 1024 * 1024) return t('sizeKB', oneDecimal(n / 1024));
  if (n < 1024 ** 3) return t('sizeMB', oneDecimal(n / 1024 ** 2));
  return t('sizeGB', oneDecimal(n / 1024 ** 3));
}

/** "−74%" (smaller) or "+3%" (larger): the change from `before` to `after` bytes. */
export function change(before: number, after: number): string {
  if (before <= 0) return '';
  const fraction = Math.round(((after - before) / before) * 100) / 100;
  // A true minus sign, which Intl writes as a hyphen.
  return formatNumber(fraction, { style: 'percent', signDisplay: 'exceptZero' }).replace('-', '−');
}
