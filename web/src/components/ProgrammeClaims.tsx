import type { ReactNode } from 'react';
import { Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { APPROVE_REJECT, ChoiceForm } from './ChoiceForm';
import { QueryCard } from './QueryCard';
import { CLAIM_COLOUR } from '../lib/colours';

/**
 * What the training subsidy and the incubator rewards share on screen (docs/programmes.md): a claim
 * is checked by its checker while FILED, then decided by a finance approver who did not check it
 * (CHECKED, or PENDING_BUDGET until a top-up); the list opens the claims the user acts on.
 */
export interface ProgrammeClaim {
  id: string;
  status: string;
}

export type ClaimStep = 'check' | 'approve';

/** The step the user with `role` takes on the claim now, if any. */
export function claimStep(role: string | undefined, c: ProgrammeClaim, checkerRole: string): ClaimStep | undefined {
  if (role === checkerRole && c.status === 'FILED') return 'check';
  if (role === 'finance_approver' && (c.status === 'CHECKED' || c.status === 'PENDING_BUDGET')) return 'approve';
  return undefined;
}

/** A card with a page of a programme's claims; those the user `acts` on are open at first, showing their `detail`. */
export function ProgrammeClaimsCard<C extends ProgrammeClaim>({
  title,
  q,
  width,
  columns,
  acts,
  detail,
  openOnlyActed,
}: {
  title: ReactNode;
  q: { isPending: boolean; isError: boolean; error: unknown; data: { items: C[] } | undefined; refetch: () => unknown };
  /** The table's scroll width. */
  width: number;
  columns: ColumnsType<C>;
  acts: (c: C, all: C[]) => boolean;
  detail: (c: C, acts: boolean) => ReactNode;
  /** Only the claims the user acts on open (else every claim does, its detail showing more of it). */
  openOnlyActed?: boolean;
}) {
  return (
    <QueryCard title={title} q={q} empty={(d) => d.items.length === 0}>
      {({ items }) => {
        const acting = (c: C) => acts(c, items);
        return (
          <Table<C> rowKey="id" size="small" dataSource={items} pagination={false} scroll={{ x: width }}
            expandable={{
              ...(openOnlyActed ? { rowExpandable: acting } : {}),
              expandedRowRender: (c) => detail(c, acting(c)),
              defaultExpandedRowKeys: items.filter(acting).map((c) => c.id),
            }}
            columns={columns} />
        );
      }}
    </QueryCard>
  );
}

/** The claim's status as a coloured tag: the column both programmes show. */
export function ClaimStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return <Tag color={CLAIM_COLOUR[status]}>{t(`programmes.claimStatus.${status}`)}</Tag>;
}

type Decision<D extends string> = { decision: D; reason?: string };
/** What a check may decide: each programme offers some of these. */
type CheckChoice = 'accept' | 'adjust' | 'refuse';

/** The form of the user's step on a claim: the check (the programme's own choices), or the approval. */
export function ClaimDecision<D extends CheckChoice>({
  step,
  checkChoices,
  initialCheck,
  check,
  approve,
}: {
  step: ClaimStep | undefined;
  checkChoices: readonly D[];
  initialCheck: D;
  check: (body: Decision<D>, idempotencyKey: string) => Promise<unknown>;
  approve: (body: Decision<(typeof APPROVE_REJECT)[number]>, idempotencyKey: string) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  if (step === 'check') {
    return <ChoiceForm submitLabel={t('programmes.check')} choices={checkChoices} label={(d: CheckChoice) => t(`programmes.checkDecision.${d}`)} initial={initialCheck} send={check} />;
  }
  if (step === 'approve') {
    return <ChoiceForm submitLabel={t('programmes.approve')} choices={APPROVE_REJECT} label={(d) => t(`programmes.approveDecision.${d}`)} initial="approve" send={approve} />;
  }
  return null;
}
