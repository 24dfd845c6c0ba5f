import i18n, { type ResourceLanguage } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { strings, type Entry } from './strings';

export const LANGS = ['zh-CN', 'en-US'] as const;
export type Lang = (typeof LANGS)[number];

/** One language's strings, nested by the dots of their keys as i18next looks them up. */
function inLanguage(lang: keyof Entry): ResourceLanguage {
  const out: ResourceLanguage = {};
  for (const [key, entry] of Object.entries(strings)) {
    const path = key.split('.');
    let node = out;
    for (const p of path.slice(0, -1)) node = (node[p] ??= {}) as ResourceLanguage;
    node[path[path.length - 1]!] = entry[lang];
  }
  return out;
}

const stored = localStorage.getItem('lf.lang');
export const initialLang: Lang = stored === 'en-US' ? 'en-US' : 'zh-CN';

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: inLanguage('zh') }, 'en-US': { translation: inLanguage('en') } },
  lng: 'zh-CN',
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
});

/** Switches the console's language. */
export async function switchLanguage(lang: Lang): Promise<void> {
  await i18n.changeLanguage(lang);
  document.documentElement.lang = lang;
}

export function rememberLang(lang: Lang): void {
  localStorage.setItem('lf.lang', lang);
}

export default i18n;
