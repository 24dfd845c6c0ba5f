import { Alert, Table, Tag } from 'antd';
import type { ColumnsType, TablePaginationConfig } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import type { components } from '../api/schema';
import { formatDateTime } from '../lib/dates';
import { PROPOSAL_COLOUR } from '../lib/colours';
import { useSession } from '../session';
import { APPROVE_REJECT, ChoiceForm } from './ChoiceForm';

type Proposal = components['schemas']['FinanceProposal'];

/**
 * Proposals a second person decides (a fund top-up, a period's reopening): who proposed what and
 * why, and what was decided. A finance approver decides a pending one in its row, unless they
 * proposed it themselves.
 */
export function ProposalTable({
  proposals,
  leading = [],
  expanded,
  submitLabel,
  decide,
  pagination = false,
}: {
  proposals: Proposal[];
  /** Columns before the common ones (a top-up's amount). */
  leading?: ColumnsType<Proposal>;
  /** The rows open at first. */
  expanded: string[];
  submitLabel: string;
  decide: (p: Proposal, body: { decision: 'approve' | 'reject'; reason: string }, idempotencyKey: string) => Promise<unknown>;
  /** The table's pages, when the list is paged by the API (a fund's top-ups). */
  pagination?: TablePaginationConfig | false;
}) {
  const { t } = useTranslation();
  const { me } = useSession();
  return (
    <Table<Proposal> rowKey="id" size="small" dataSource={proposals} pagination={pagination} scroll={{ x: 800 }} locale={{ emptyText: t('common.empty') }}
      expandable={me?.role === 'finance_approver' ? {
        rowExpandable: (r) => r.status === 'pending',
        defaultExpandedRowKeys: expanded,
        expandedRowRender: (r) =>
          r.proposedBy === me?.username ? (
            <Alert type="info" showIcon title={t('funds.ownProposal')} />
          ) : (
            <ChoiceForm submitLabel={submitLabel} choices={APPROVE_REJECT} label={(d) => t(`decision.${d}`)} initial="approve" reasonRequired
              send={(body, key) => decide(r, { decision: body.decision, reason: body.reason ?? '' }, key)} />
          ),
      } : undefined}
      columns={[
        ...leading,
        { title: t('common.reason'), dataIndex: 'reason' },
        { title: t('funds.proposedBy'), dataIndex: 'proposedBy' },
        { title: t('common.date'), dataIndex: 'proposedAt', render: formatDateTime },
        { title: t('common.status'), dataIndex: 'status', render: (s: string) => <Tag color={PROPOSAL_COLOUR[s]}>{t(`funds.status.${s}`)}</Tag> },
        { title: t('funds.decidedBy'), dataIndex: 'decidedBy', render: (v: string | null, r) => (v ? `${v}${r.decisionReason ? `：${r.decisionReason}` : ''}` : '—') },
      ]} />
  );
}
