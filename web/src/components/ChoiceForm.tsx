import { Form, Input, Radio } from 'antd';
import { useTranslation } from 'react-i18next';
import { DecisionForm } from './DecisionForm';

/**
 * A decision that is one of a few choices with a reason: a finance check or approval, a second
 * person's decision on a top-up or a reopening. `label` names each choice on screen; the reason is
 * required when `reasonRequired`.
 */
export function ChoiceForm<D extends string>({
  submitLabel,
  choices,
  label,
  initial,
  reasonRequired,
  send,
}: {
  submitLabel: string;
  choices: readonly D[];
  label: (choice: D) => string;
  initial: D;
  reasonRequired?: boolean;
  send: (body: { decision: D; reason?: string }, idempotencyKey: string) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  return (
    <DecisionForm<{ decision: D; reason?: string }> submitLabel={submitLabel} initialValues={{ decision: initial } as never} send={send}>
      <Form.Item name="decision" label={t('forms.decision')}>
        <Radio.Group>{choices.map((d) => <Radio key={d} value={d}>{label(d)}</Radio>)}</Radio.Group>
      </Form.Item>
      <Form.Item name="reason" label={t('common.reason')} rules={reasonRequired ? [{ required: true, whitespace: true, message: t('forms.required') }] : undefined}>
        <Input />
      </Form.Item>
    </DecisionForm>
  );
}

export const APPROVE_REJECT = ['approve', 'reject'] as const;
