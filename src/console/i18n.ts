/** The console's language: every string is in messages.ts (English, Czech, Polish); the choice is kept in localStorage. */
import { signal } from '@preact/signals';
import { MESSAGES, type Language, type MessageKey } from './messages.ts';

export type { MessageKey };
export const LANGUAGES: Array<{ code: Language; name: string }> = [
  { code: 'en', name: 'English' },
  { code: 'cs', name: 'Čeština' },
  { code: 'pl', name: 'Polski' },
];

function initial(): Language {
  const saved = localStorage.getItem('orderhub.lang');
  if (saved === 'en' || saved === 'cs' || saved === 'pl') return saved;
  for (const l of navigator.languages ?? [navigator.language]) {
    const code = l.slice(0, 2).toLowerCase();
    if (code === 'cs' || code === 'sk') return 'cs';
    if (code === 'pl') return 'pl';
  }
  return 'en';
}

export const language = signal<Language>(initial());
/** the locale for Intl (dates, numbers): the chosen language in the browser's region where it matches */
export const locale = signal<string>(localeOf(language.value));

function localeOf(lang: Language): string {
  const preferred = (navigator.languages ?? []).find((l) => l.toLowerCase().startsWith(lang));
  return preferred ?? { en: 'en-GB', cs: 'cs-CZ', pl: 'pl-PL' }[lang];
}

export function setLanguage(lang: Language): void {
  localStorage.setItem('orderhub.lang', lang);
  language.value = lang;
  locale.value = localeOf(lang);
  document.documentElement.lang = lang;
}

/** The message in the chosen language, with {name} placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}, fallback?: string): string {
  const text = MESSAGES[language.value][key] ?? (fallback !== undefined && !(key in MESSAGES.en) ? fallback : MESSAGES.en[key]) ?? fallback ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}
