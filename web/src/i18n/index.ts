import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import zhCN from './zh-CN';

export const LANGS = ['zh-CN', 'en-US'] as const;
export type Lang = (typeof LANGS)[number];

const stored = localStorage.getItem('lf.lang');
export const initialLang: Lang = stored === 'en-US' ? 'en-US' : 'zh-CN';

// Chinese comes with the first load; English is fetched when chosen (a chunk of its own).
void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN } },
  lng: 'zh-CN',
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
});

/** Switches the console's language, loading its strings first when they are not here yet. */
export async function switchLanguage(lang: Lang): Promise<void> {
  if (!i18n.hasResourceBundle(lang, 'translation')) {
    const { default: strings } = await import('./en-US');
    i18n.addResourceBundle(lang, 'translation', strings);
  }
  await i18n.changeLanguage(lang);
  document.documentElement.lang = lang;
}

export function rememberLang(lang: Lang): void {
  localStorage.setItem('lf.lang', lang);
}

export default i18n;
