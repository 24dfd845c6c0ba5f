import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { ConfigProvider, App as AntApp } from 'antd';
import zh_CN from 'antd/locale/zh_CN';
import en_US from 'antd/locale/en_US';
import i18n, { initialLang, rememberLang, type Lang } from './i18n';
import { dayjs } from './lib/dates';

// Users who ask their system for less motion get none (and screens settle at once for axe).
const reducedMotion = typeof window !== 'undefined' && window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

const LocaleContext = createContext<{ lang: Lang; setLang(l: Lang): void }>({ lang: 'zh-CN', setLang: () => undefined });

/** Ant Design's locale, ours (react-i18next) and dayjs's, switched together. */
export function LocaleProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  dayjs.locale(lang === 'zh-CN' ? 'zh-cn' : 'en');
  const value = useMemo(
    () => ({
      lang,
      setLang(l: Lang) {
        void i18n.changeLanguage(l);
        rememberLang(l);
        setLangState(l);
      },
    }),
    [lang],
  );
  return (
    <LocaleContext.Provider value={value}>
      <ConfigProvider locale={lang === 'zh-CN' ? zh_CN : en_US} theme={{ token: { motion: !reducedMotion, colorPrimary: '#1f5fbf', colorLink: '#1f5fbf', colorInfo: '#1f5fbf', colorError: '#c9252d', colorTextTertiary: 'rgba(0, 0, 0, 0.66)', colorTextDescription: 'rgba(0, 0, 0, 0.66)', borderRadius: 4 } }}>
        <AntApp>{children}</AntApp>
      </ConfigProvider>
    </LocaleContext.Provider>
  );
}

export function useLocale() {
  return useContext(LocaleContext);
}
