import { InsufficientBalanceError, LedgerError, PeriodClosedError, ReversalError, payOut, reverseEntry } from '../db/ledger';
import { audit, type AuditActor } from '../db/repositories/audit';
import { FinanceError, listMismatches, requireFinance, type MismatchView } from '../db/reconciliation';
import { answeringOwnRetry, refusedAs, type KeyUse, type RecordsDeps } from './deps';

/** Kinds where our payout itself is in question, so reversing it can be the correction. */
export const REVERSIBLE_KINDS = ['missing_in_statement', 'amount_differs', 'date_differs'] as const;

export interface ResolveInput {
  reconciliationId: string;
  itemNo: number;
  resolution: 'explanation' | 'reversal';
  reason: string;
  actor: AuditActor;
  requestId?: string | null;
  /** The Idempotency-Key the request runs under: a retry may meet its first attempt's resolution. */
  idempotency?: KeyUse | null;
  /** The reversal's business date (an open quarter). */
  today: string;
}

/**
 * Resolves one mismatch — never by editing anything: an explanation (who, why) is a new row; a
 * correcting reversal is a new ledger entry that reverses the item's payout, posted today (the
 * payout's own quarter may be closed), linked from the resolution row. One resolution per item,
 * on the current reconciliation of an open quarter; a reversal needs the finance approver, as a
 * payout does. A reversed payout's claim becomes PAYOUT_REVERSED (see payClaimAgain).
 */
export async function resolveMismatch({ db }: RecordsDeps, input: ResolveInput): Promise<MismatchView> {
  requireFinance(input.actor, 'resolving a mismatch');
  if (input.reason.trim().length < 3) throw new FinanceError('VALIDATION_FAILED', 'a reason is required', [{ path: 'reason', message: 'at least 3 characters' }]);
  const resolve = () =>
    db.transaction(async (trx) => {
      const item = await trx('reconciliation_items as i')
        .join('reconciliations as r', 'r.id', 'i.reconciliation_id')
        .where({ 'i.reconciliation_id': input.reconciliationId, 'i.item_no': input.itemNo })
        .first('i.*', 'r.quarter', 'r.bank_id', 'r.seq');
      if (!item) throw new FinanceError('NOT_FOUND', `mismatch ${input.itemNo} of reconciliation ${input.reconciliationId} not found`);
      // Serialises resolutions of one item; the primary key would refuse the second anyway.
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`reconciliation:${input.reconciliationId}:${input.itemNo}`]);
      const prior = await trx('reconciliation_resolutions').where({ reconciliation_id: input.reconciliationId, item_no: input.itemNo }).first();
      if (prior) throw new FinanceError('INVALID_STATE', `mismatch ${input.itemNo} is resolved already (${prior.kind}); a resolution is final`);
      const newer = await trx('reconciliations').where({ bank_id: item.bank_id, quarter: item.quarter, status: 'imported' }).andWhere('seq', '>', item.seq).first('id');
      if (newer) throw new FinanceError('INVALID_STATE', `reconciliation ${input.reconciliationId} was superseded by ${newer.id}: resolve the mismatches of the newer import`);
      const period = await trx('accounting_periods').where({ quarter: item.quarter }).first('status');
      if (period?.status === 'closed') throw new FinanceError('INVALID_STATE', `quarter ${item.quarter} is closed: reopen it to resolve its mismatches`);

      let reversalEntryId: number | null = null;
      if (input.resolution === 'reversal') {
        if (input.actor.role !== 'finance_approver') throw new FinanceError('FORBIDDEN', 'a correcting reversal needs the finance approver');
        if (!(REVERSIBLE_KINDS as readonly string[]).includes(item.kind) || item.payout_entry_id === null) {
          throw new FinanceError('UNPROCESSABLE', `a ${item.kind} mismatch has no payout of ours to reverse: explain it instead`, [
            { path: 'resolution', message: `reversal applies to ${REVERSIBLE_KINDS.join(', ')}` },
          ]);
        }
        const claim = await trx('subsidy_claims').where({ payout_entry_id: item.payout_entry_id }).first('id');
        if (!claim) {
          // Training subsidies and incubator rewards have no second payout to follow a reversal.
          throw new FinanceError('UNPROCESSABLE', 'a training subsidy or incubator reward payout is not reversed here: explain the mismatch instead', [
            { path: 'resolution', message: 'only an interest-subsidy payout is reversed' },
          ]);
        }
        try {
          // A savepoint, so a refusal by the ledger leaves this transaction usable for the error.
          const entry = await trx.transaction((sp) =>
            reverseEntry(sp, {
              entryId: item.payout_entry_id,
              idempotencyKey: `reconciliation:${input.reconciliationId}:${input.itemNo}:reversal`,
              postedOn: input.today,
              description: `Reversal of subsidy payout for claim ${item.claim_id ?? '?'}: reconciliation mismatch (${item.kind})`,
              metadata: { reconciliationId: input.reconciliationId, itemNo: input.itemNo, claimId: item.claim_id, reason: input.reason },
            }),
          );
          reversalEntryId = entry.id;
        } catch (e) {
          if (e instanceof ReversalError) throw new FinanceError('CONFLICT', e.message);
          if (e instanceof PeriodClosedError) throw new FinanceError('INVALID_STATE', `${e.message}: today's quarter must be open for the reversal`);
          if (e instanceof LedgerError) throw new FinanceError('UNPROCESSABLE', e.message, e.details);
          throw e;
        }
        // The claim is no longer paid: its money is back in the fund's reserved account until the
        // approver pays it again (payClaimAgain).
        const reversedClaims: Array<{ id: string }> = await trx('subsidy_claims')
          .where({ payout_entry_id: item.payout_entry_id, status: 'PAID' })
          .update({ status: 'PAYOUT_REVERSED', updated_at: trx.fn.now() }, ['id']);
        for (const c of reversedClaims) {
          await audit(trx, {
            actor: input.actor, action: 'subsidy_claim.payout_reversed', entityType: 'subsidy_claim', entityId: c.id,
            reason: input.reason.trim(), requestId: input.requestId ?? null,
            payload: { reconciliationId: input.reconciliationId, itemNo: input.itemNo, payoutEntryId: item.payout_entry_id, reversalEntryId },
          });
        }
      }
      await trx('reconciliation_resolutions').insert({
        reconciliation_id: input.reconciliationId,
        item_no: input.itemNo,
        kind: input.resolution,
        reason: input.reason.trim(),
        reversal_entry_id: reversalEntryId,
        resolved_by: input.actor.userId,
        resolved_role: input.actor.role,
        request_id: input.requestId ?? null,
      });
      await audit(trx, {
        actor: input.actor,
        action: `reconciliation.mismatch.${input.resolution}`,
        entityType: 'reconciliation',
        entityId: input.reconciliationId,
        reason: input.reason.trim(),
        requestId: input.requestId ?? null,
        payload: { itemNo: input.itemNo, kind: item.kind, claimId: item.claim_id, payoutEntryId: item.payout_entry_id, reversalEntryId },
      });
    });
  await answeringOwnRetry<unknown>(input, resolve, refusedAs('INVALID_STATE'), async (since) => {
    const mine = await db('reconciliation_resolutions')
      .where({ reconciliation_id: input.reconciliationId, item_no: input.itemNo, kind: input.resolution, reason: input.reason.trim(), resolved_by: input.actor.userId })
      .andWhere('resolved_at', '>=', since)
      .first('item_no');
    return mine ? true : undefined;
  });
  return (await listMismatches(db, input.reconciliationId, { itemNo: input.itemNo })).items[0]!;
}

export interface PayAgainInput {
  claimId: string;
  reason: string;
  actor: AuditActor;
  requestId?: string | null;
  /** The new payout's business date (an open quarter). */
  today: string;
}

/**
 * Pays again a claim whose payout a reconciliation reversed (e.g. once the bank's account details
 * are corrected): a new payout from the amount the reversal put back into the fund's reserved
 * account, dated today, and the claim is PAID again. The finance approver's decision, audited; a
 * retry posts nothing twice (the payout's key names the reversed payout it replaces).
 */
export async function payClaimAgain({ db }: RecordsDeps, input: PayAgainInput): Promise<void> {
  requireFinance(input.actor, 'paying a claim again');
  if (input.actor.role !== 'finance_approver') throw new FinanceError('FORBIDDEN', 'paying a claim again needs the finance approver');
  if (input.reason.trim().length < 3) throw new FinanceError('VALIDATION_FAILED', 'a reason is required', [{ path: 'reason', message: 'at least 3 characters' }]);
  await db.transaction(async (trx) => {
    const claim = await trx('subsidy_claims').where({ id: input.claimId }).forUpdate().first();
    if (!claim) throw new FinanceError('NOT_FOUND', `subsidy claim ${input.claimId} not found`);
    if (claim.status !== 'PAYOUT_REVERSED') {
      throw new FinanceError('INVALID_STATE', `claim ${input.claimId} is ${claim.status}: only a claim whose payout was reversed is paid again`);
    }
    const reversed = Number(claim.payout_entry_id);
    let payoutId: number;
    try {
      const payout = await trx.transaction((sp) =>
        payOut(sp, {
          fundId: claim.fund_id, bankOrgId: claim.bank_id, amount: claim.total, postedOn: input.today,
          idempotencyKey: `subsidy-claim:${claim.id}:payout-replacing:${reversed}`,
          description: `Interest subsidy ${claim.quarter} paid again to bank ${claim.bank_id} (payout entry ${reversed} was reversed)`,
          metadata: { claimId: claim.id, bankId: claim.bank_id, quarter: claim.quarter, replacesPayoutEntryId: reversed },
        }),
      );
      payoutId = payout.id;
    } catch (e) {
      if (e instanceof PeriodClosedError) throw new FinanceError('INVALID_STATE', `${e.message}: today's quarter must be open for the payout`);
      if (e instanceof InsufficientBalanceError) throw new FinanceError('UNPROCESSABLE', `the fund no longer holds this claim's reservation: ${e.message}`);
      if (e instanceof LedgerError) throw new FinanceError('UNPROCESSABLE', e.message, e.details);
      throw e;
    }
    await trx('subsidy_claims').where({ id: claim.id }).update({ status: 'PAID', paid_on: input.today, payout_entry_id: payoutId, updated_at: trx.fn.now() });
    await audit(trx, {
      actor: input.actor, action: 'subsidy_claim.paid_again', entityType: 'subsidy_claim', entityId: claim.id,
      reason: input.reason.trim(), requestId: input.requestId ?? null,
      payload: { reversedPayoutEntryId: reversed, payoutEntryId: payoutId, amount: claim.total, paidOn: input.today },
    });
  });
}
