import { useCallback, useState, type ReactNode } from 'react';
import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiFailure } from '../api/client';
import { saveFile, type FileReply } from '../lib/download';

/**
 * Download buttons' behaviour: `save` saves the file (saveFile) or, when the API refuses it, shows
 * the API's own message in `alert`. A 401 shows nothing here: the session's end takes the page to
 * the sign-in page.
 */
export function useDownload(): { save(reply: FileReply, name: string): Promise<void>; alert: ReactNode } {
  const { t } = useTranslation();
  const [refusal, setRefusal] = useState<string | null>(null);
  const save = useCallback(async (reply: FileReply, name: string) => {
    setRefusal(null);
    try {
      await saveFile(reply, name);
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 401) return;
      setRefusal(e instanceof ApiFailure ? (e.status === 0 ? t('common.networkError') : e.message) : String(e));
    }
  }, [t]);
  const alert = refusal ? <Alert type="error" showIcon role="alert" title={t('reports.downloadFailed', { message: refusal })} style={{ marginBottom: 16 }} /> : null;
  return { save, alert };
}
