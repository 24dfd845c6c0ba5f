import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { msUntil } from '../lib/dates';

function useNow(everyMs: number) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}

/** Time left to a deadline, counting down; a reminder tag from half time, an overdue tag past it. */
export function Countdown({ deadline, reminderAt }: { deadline: string; reminderAt?: string }) {
  const { t } = useTranslation();
  const now = useNow(30_000);
  const left = msUntil(deadline, now);
  const abs = Math.abs(left);
  const d = Math.floor(abs / 86_400_000);
  const h = Math.floor((abs % 86_400_000) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const time = d > 0 ? `${t('tasks.days', { count: d })} ${t('tasks.hours', { count: h })}` : h > 0 ? `${t('tasks.hours', { count: h })} ${t('tasks.minutes', { count: m })}` : t('tasks.minutes', { count: m });
  const reminder = reminderAt !== undefined && msUntil(reminderAt, now) <= 0;
  return (
    <span>
      <span style={{ marginInlineEnd: 8 }}>{left < 0 ? t('tasks.overdueBy', { time }) : t('tasks.remaining', { time })}</span>
      {left < 0 ? <span className="lf-tag lf-tag-red">{t('tasks.overdue')}</span> : reminder ? <span className="lf-tag lf-tag-orange">{t('tasks.reminder')}</span> : null}
    </span>
  );
}
