import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { ConfigProvider, App as AntApp } from 'antd';
import zh_CN from 'antd/locale/zh_CN';
import en_US from 'antd/locale/en_US';
import i18n, { initialLang, rememberLang, type Lang } from './i18n';
import { dayjs } from './lib/dates';

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
      <ConfigProvider locale={lang === 'zh-CN' ? zh_CN : en_US} theme={{ token: { colorPrimary: '#1f5fbf', borderRadius: 4 } }}>
        <AntApp>{children}</AntApp>
      </ConfigProvider>
    </LocaleContext.Provider>
  );
}

export function useLocale() {
  return useContext(LocaleContext);
}
