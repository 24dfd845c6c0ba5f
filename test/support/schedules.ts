import type { ScheduleInput } from '../../domain/schedule';

/** An 80,000 yuan, 12-month loan repaid interest-monthly with the principal at the end, fully subsidised. */
export const bulletInput = (over: Partial<ScheduleInput> = {}): ScheduleInput => ({
  repaymentMethod: 'monthly_interest_bullet',
  amount: '80000.00',
  annualRate: '0.0435',
  disbursedOn: '2027-01-31',
  termMonths: 12,
  policy: { subsidyMode: 'share_of_interest', subsidyShare: '1' },
  ...over,
});
