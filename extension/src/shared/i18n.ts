// The interface's words: the browser's i18n API over extension/_locales, whose
// English file is also the list of keys (so a missing key is a type error).
// Outside an extension context (the unit tests in Node) the English text is used.
import english from '../../_locales/en/messages.json';

export type MessageKey = keyof typeof english;

interface Message {
  message: string;
  placeholders?: Record<string, { content: string }>;
}

/**
 * The message `key` in the browser's language, with `substitutions` for $1, $2, ...;
 * numbers are written as that language writes them (2,560 / 2.560 / 2 560).
 */
export function t(key: MessageKey, ...substitutions: (string | number)[]): string {
  const api = (globalThis as { chrome?: typeof chrome }).chrome?.i18n;
  // The language the messages really come in, as their file says: getUILanguage()
  // and @@ui_locale can differ from it (Linux Chromium took German messages from
  // LANGUAGE=de and still said en-US, measured).
  const language = () => api?.getMessage?.('locale') || english.locale.message;
  const values = substitutions.map((v) => (typeof v === 'number' ? new Intl.NumberFormat(language()).format(v) : v));
  const translated = api?.getMessage?.(key, values);
  return translated || fallback(english[key] as Message, values);
}

/** English, with named placeholders resolved as the i18n API does. */
function fallback(entry: Message, values: string[]): string {
  return entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => {
    const content = entry.placeholders?.[name.toLowerCase()]?.content ?? whole;
    return content.replace(/\$(\d)/g, (_, i: string) => values[Number(i) - 1] ?? '');
  });
}
