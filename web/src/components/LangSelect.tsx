import { useTranslation } from 'react-i18next';
import { useLocale } from '../locale';
import type { Lang } from '../i18n';

/** The language of every screen, a native select: it is on the first screens, before Ant Design loads. */
export function LangSelect({ dark }: { dark?: boolean }) {
  const { t } = useTranslation();
  const { lang, setLang } = useLocale();
  return (
    <select aria-label={t('lang.label')} className={dark ? 'lf-select lf-select-dark' : 'lf-select'} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
      <option value="zh-CN">{t('lang.zh')}</option>
      <option value="en-US">{t('lang.en')}</option>
    </select>
  );
}
