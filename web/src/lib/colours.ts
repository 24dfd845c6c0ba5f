/** Tag colours by status, one place for every screen that shows them. */
export const CLAIM_COLOUR: Record<string, string | undefined> = { PAID: 'green', REJECTED: 'red', REFUSED: 'red', PENDING_BUDGET: 'orange', PAYOUT_REVERSED: 'red', CHECKED: 'blue' };
export const PROPOSAL_COLOUR: Record<string, string | undefined> = { pending: 'orange', approved: 'green', rejected: 'red' };
