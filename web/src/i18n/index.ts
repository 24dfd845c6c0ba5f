import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import zhCN from './zh-CN';
import enUS from './en-US';

export const LANGS = ['zh-CN', 'en-US'] as const;
export type Lang = (typeof LANGS)[number];

const stored = localStorage.getItem('lf.lang');
export const initialLang: Lang = stored === 'en-US' ? 'en-US' : 'zh-CN';

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, 'en-US': { translation: enUS } },
  lng: initialLang,
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
});

export function rememberLang(lang: Lang): void {
  localStorage.setItem('lf.lang', lang);
  document.documentElement.lang = lang;
}

export default i18n;
