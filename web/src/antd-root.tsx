import type { ReactNode } from 'react';
import { ConfigProvider } from 'antd';
import zh_CN from 'antd/locale/zh_CN';
import en_US from 'antd/locale/en_US';
import { useLocale } from './locale';

// Users who ask their system for less motion get none (and screens settle at once for axe).
const reducedMotion = typeof window !== 'undefined' && window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

const theme = {
  token: {
    motion: !reducedMotion,
    colorPrimary: '#1f5fbf',
    colorLink: '#1f5fbf',
    colorInfo: '#1f5fbf',
    colorError: '#c9252d',
    colorTextTertiary: 'rgba(0, 0, 0, 0.66)',
    colorTextDescription: 'rgba(0, 0, 0, 0.66)',
    borderRadius: 4,
  },
};

/**
 * Ant Design with its locale and our theme, around every screen but the first ones (login and my
 * tasks, which use none of it): loaded with the first such screen, so the first load stays small.
 */
export default function AntdRoot({ children }: { children: ReactNode }) {
  const { lang } = useLocale();
  return (
    <ConfigProvider locale={lang === 'zh-CN' ? zh_CN : en_US} theme={theme}>
      {children}
    </ConfigProvider>
  );
}
