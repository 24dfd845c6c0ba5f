import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { initialLang, rememberLang, switchLanguage, type Lang } from './i18n';

const LocaleContext = createContext<{ lang: Lang; setLang(l: Lang): void }>({ lang: 'zh-CN', setLang: () => undefined });

/**
 * The console's language: our strings (react-i18next) switch here; Ant Design's own
 * locale follows it in the screens that use Ant Design (antd-root.tsx).
 */
export function LocaleProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>('zh-CN');
  const setLang = (l: Lang) => {
    void switchLanguage(l).then(() => {
      rememberLang(l);
      setLangState(l);
    });
  };
  useEffect(() => {
    if (initialLang !== 'zh-CN') setLang(initialLang);
  }, []);
  const value = useMemo(() => ({ lang, setLang }), [lang]);
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export function useLocale() {
  return useContext(LocaleContext);
}
