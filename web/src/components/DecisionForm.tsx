import { useId, useState, type ReactNode } from 'react';
import { Alert, Button, Form, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { ApiFailure } from '../api/client';
import { useSubmissionKey } from '../lib/idempotency';

/**
 * A form that decides something on the server: one Idempotency-Key per submission (a double click
 * or a retry decides once), the server's refusal beside the field it names (`details[].path`), else
 * above the button, and the lists refreshed once it is recorded.
 */
export function DecisionForm<V extends object>({
  submitLabel,
  send,
  children,
  initialValues,
  onDone,
  danger,
  form: given,
}: {
  /** The button's text; Submit unless told. */
  submitLabel?: string;
  send: (values: V, idempotencyKey: string) => Promise<unknown>;
  children: ReactNode;
  initialValues?: Partial<V>;
  onDone?: (result: unknown) => void;
  danger?: boolean;
  form?: FormInstance<V>;
}) {
  const { t } = useTranslation();
  const [own] = Form.useForm<V>();
  const form = given ?? own;
  const key = useSubmissionKey();
  const queries = useQueryClient();
  const [busy, setBusy] = useState(false);
  // Field ids are prefixed by the form's name: two forms on one screen (a repayment and an early
  // repayment) both have a bank reference, and each label must point at its own field.
  const name = `f${useId().replace(/[^A-Za-z0-9]/g, '')}`;
  const [refusal, setRefusal] = useState<string | null>(null);

  const onFinish = async (values: V) => {
    if (busy) return;
    setBusy(true);
    setRefusal(null);
    try {
      const result = await send(values, key.keyFor(values));
      key.done();
      await queries.invalidateQueries();
      onDone?.(result);
    } catch (e) {
      if (e instanceof ApiFailure) {
        // A field the screen shows (one hidden by the form's state cannot carry the message).
        const shown = (p: string) => form.getFieldInstance(p as never) != null;
        const onFields = e.details.filter((d) => shown(d.path.split('.')[0]!));
        form.setFields(onFields.map((d) => ({ name: d.path.split('.')[0] as never, errors: [d.message] })));
        // Anything not tied to a field of this form is said above the button, in the server's words.
        if (onFields.length < e.details.length || onFields.length === 0) setRefusal(e.status === 0 ? t('common.networkError') : e.message);
      } else setRefusal(String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form<V> form={form} name={name} layout="vertical" onFinish={onFinish} initialValues={initialValues} scrollToFirstError>
      {children}
      {refusal && <Alert type="error" showIcon role="alert" title={t('common.refused', { message: refusal })} style={{ marginBottom: 16 }} />}
      <Button type="primary" danger={danger} htmlType="submit" loading={busy}>
        {submitLabel ?? t('common.submit')}
      </Button>
    </Form>
  );
}
