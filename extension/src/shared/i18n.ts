// The interface's words: the browser's i18n API over extension/_locales, whose
// English file is also the list of keys (so a missing key is a type error).
// Outside an extension context (the unit tests in Node) the English text is used.
//
// The i18n API has no plurals: a counted message is a family of keys, `name_one`,
// `name_other` (and `name_many`, `name_few` where a language has them), chosen by
// Intl.PluralRules in the messages' own language.
import english from '../../_locales/en/messages.json';

export type MessageKey = keyof typeof english;
/** `name` for each `name_other` key: the counted messages. */
export type PluralKey = { [K in MessageKey]: K extends `${infer Base}_other` ? Base : never }[MessageKey];

interface Message {
  message: string;
  placeholders?: Record<string, { content: string }>;
}

type I18nApi = Pick<typeof chrome.i18n, 'getMessage'>;

function api(): I18nApi | undefined {
  return (globalThis as { chrome?: typeof chrome }).chrome?.i18n;
}

/**
 * The language the messages really come in, as their file says: getUILanguage()
 * and @@ui_locale can differ from it (Linux Chromium took German messages from
 * LANGUAGE=de and still said en-US, measured).
 */
export function language(): string {
  return api()?.getMessage?.('locale') || english.locale.message;
}

/** A number as the messages' language writes it (2,560 / 2.560 / 2 560). */
export function formatNumber(n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(language(), options).format(n);
}

/**
 * The message `key` in the browser's language, with `substitutions` for $1, $2, ...;
 * numbers are written as that language writes them.
 */
export function t(key: MessageKey, ...substitutions: (string | number)[]): string {
  const values = substitutions.map((v) => (typeof v === 'number' ? formatNumber(v) : v));
  return api()?.getMessage?.(key, values) || fallback(key, values);
}

/** The counted message `key` for `count` ($1), with further substitutions from $2. */
export function tn(key: PluralKey, count: number, ...substitutions: (string | number)[]): string {
  const category = new Intl.PluralRules(language()).select(count);
  const values = [count, ...substitutions].map((v) => (typeof v === 'number' ? formatNumber(v) : v));
  const translated = api()?.getMessage?.(`${key}_${category}`, values) || api()?.getMessage?.(`${key}_other`, values);
  return translated || fallback(`${key}_${category === 'one' ? 'one' : 'other'}` as MessageKey, values);
}

/** "a, b and c" as the messages' language joins a list. */
export function list(items: string[]): string {
  return new Intl.ListFormat(language(), { type: 'conjunction' }).format(items);
}

/** English, with named placeholders resolved as the i18n API does. */
function fallback(key: MessageKey, values: string[]): string {
  const entry = english[key] as Message | undefined;
  if (!entry) return key;
  return entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => {
    const content = entry.placeholders?.[name.toLowerCase()]?.content ?? whole;
    return content.replace(/\$(\d)/g, (_, i: string) => values[Number(i) - 1] ?? '');
  });
}

/** Lets the page be seen (page.css hides it until then): its words and first state are in. */
export function shown(): void {
  document.documentElement.classList.add('shown');
}

/**
 * Puts the messages into a page's static markup: `data-i18n` names the message for
 * an element's text, `data-i18n-<attribute>` for an attribute (placeholder,
 * aria-label, alt, href).
 * The page stays unseen until it calls shown() (page.css), so nothing moves as words go in.
 */
export function localisePage(root: ParentNode = document): void {
  document.documentElement.lang = language();
  for (const el of root.querySelectorAll<HTMLElement>('*')) {
    for (const name of el.getAttributeNames()) {
      if (!name.startsWith('data-i18n')) continue;
      const key = el.getAttribute(name) as MessageKey;
      const attribute = name.slice('data-i18n-'.length);
      if (name === 'data-i18n') el.textContent = t(key);
      else el.setAttribute(attribute, t(key));
    }
  }
}
