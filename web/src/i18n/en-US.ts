import type { Messages } from './zh-CN';

const enUS: Messages = {
  app: { title: 'Guaranteed start-up loans', skip: 'Skip to main content' },
  common: {
    pages: 'Pages',
    previous: 'Previous',
    next: 'Next',
    pageOf: 'Page {{page}} of {{pages}}',
    loading: 'Loading…', empty: 'Nothing here', retry: 'Retry', error: 'Could not load', submit: 'Submit', cancel: 'Cancel', back: 'Back',
    search: 'Search', reset: 'Reset', actions: 'Actions', view: 'View', yes: 'Yes', no: 'No', reason: 'Reason', amount: 'Amount',
    date: 'Date', status: 'Status', name: 'Name', total: '{{count}} in all', saved: 'Saved', refused: 'Refused: {{message}}',
    networkError: 'The server cannot be reached; try again shortly', download: 'Download', all: 'All', readOnly: 'Read only',
  },
  lang: { label: 'Language', zh: '中文', en: 'English' },
  login: {
    title: 'Sign in', username: 'Username', password: 'Password', submit: 'Sign in', register: 'Register as an applicant',
    expired: 'Your session ended. Sign in again to return to where you were.', locked: '{{message}} (retry in {{seconds}} s)',
    failed: 'Wrong username or password',
  },
  register: {
    title: 'Applicant registration', idNumber: 'ID number', name: 'Name', phone: 'Mobile phone', username: 'Username',
    password: 'Password (8 characters or more)', submit: 'Register',
    received: 'Registration received. Sign in with this username and password. If sign-in fails, the username or the ID number already has an account: choose another username, or ask the service desk about your account.',
    toLogin: 'Go to sign-in',
  },
  nav: {
    tasks: 'My tasks', applications: 'Applications', apply: 'Apply', myApplication: 'My application', loans: 'Loans', myLoan: 'My loan',
    claims: 'Subsidy claims', funds: 'Special fund', reconciliations: 'Reconciliation', periods: 'Quarter close', reports: 'Indicators',
    audit: 'Audit trail', ledger: 'Ledger', users: 'Users', organisations: 'Organisations', policies: 'Policy versions',
    community: "My community's applicants", signOut: 'Sign out', signedInAs: '{{name}} ({{role}})',
  },
  role: {
    applicant: 'Applicant', training_officer: 'Training officer', community_officer: 'Community officer', guarantee_reviewer: 'Guarantee reviewer',
    guarantee_approver: 'Guarantee approver', bank_officer: 'Bank officer', finance_officer: 'Finance officer', finance_approver: 'Finance approver',
    auditor: 'Auditor', admin: 'Administrator',
  },
  status: {
    SUBMITTED: 'Submitted', AWAITING_COUNTER_GUARANTEE: 'Awaiting counter-guarantee', AWAITING_GUARANTEE_REVIEW: 'Awaiting review',
    AWAITING_GUARANTEE_APPROVAL: 'Awaiting approval', AWAITING_DISBURSAL: 'Awaiting disbursal', REPAYING: 'Repaying', REPAID: 'Repaid',
    REJECTED: 'Rejected', WITHDRAWN: 'Withdrawn', EXPIRED: 'Expired', DEFAULTED: 'Defaulted (compensated)',
  },
  targetGroup: {
    unemployed: 'Registered unemployed', college_graduate: 'College graduate', returning_migrant_worker: 'Returning migrant worker',
    veteran: 'Veteran', disabled: 'Person with a disability', other: 'Other',
  },
  method: { monthly_interest_bullet: 'Monthly interest, principal at maturity', equal_instalment: 'Equal instalments' },
  counterType: { credit_community: 'Credit community', guarantor: 'Personal guarantor', collateral: 'Collateral' },
  decision: { approved: 'Approved', rejected: 'Rejected', passed: 'Passed', submitted: 'Submitted', disbursed: 'Disbursed', reminded: 'Reminded', expired: 'Expired', withdrawn: 'Withdrawn', recommended: 'Recommended', approve: 'Approve', reject: 'Reject' },
  tasks: {
    what: 'Task',
    subject: 'About',
    maker: 'Prepared by',
    since: 'waiting since {{at}}',
    reminders: '{{count}} to chase',
    kind: { fund_top_up: 'Top-up to decide', period_reopen: 'Reopen request to decide', loan_recovery: 'Compensated, to recover' },
    claim: { SUBMITTED: 'Claim to check', CHECKED: 'Claim to approve', PENDING_BUDGET: 'Claim waiting for budget', REJECTED: 'Claim rejected: file again' },
    title: 'My tasks', none: 'Nothing is waiting for you', applicant: 'Application', deadline: 'Deadline', left: 'Time left',
    overdueBy: 'overdue by {{time}}', remaining: '{{time}}', reminder: 'Reminder', overdue: 'Overdue', reviewedBy: 'Reviewed by',
    open: 'Handle', days: '{{count}} d', hours: '{{count}} h', minutes: '{{count}} min', step: 'Step',
  },
  apps: {
    title: 'Applications', search: 'Application number, name or ID number', number: 'Application no.', idNumber: 'ID number',
    requested: 'Requested', recommended: 'Recommended', approved: 'Approved', term: 'Term (months)', submittedOn: 'Submitted on',
    filterStatus: 'Status',
  },
  detail: {
    title: 'Application', timeline: 'Steps', who: 'By', when: 'When', why: 'Reason', policy: 'Policy version', community: 'Credit community',
    bank: 'Partner bank', method: 'Repayment method', targetGroup: 'Target group', certificate: 'Training certificate',
    deadline: 'Deadline of this step', endReason: 'Ended because', loan: 'View the loan', decide: 'Decide', withdraw: 'Withdraw',
    withdrawReason: 'Reason for withdrawing',
  },
  step: {
    submission: 'Submitted', intake_check: 'Eligibility check', intake: 'Intake', counter_guarantee: 'Counter-guarantee', guarantee_review: 'Guarantee review', guarantee_approval: 'Guarantee approval',
    disbursal: 'Disbursal', withdrawal: 'Withdrawal', counter_guarantee_reminder: 'Counter-guarantee reminder',
    guarantee_review_reminder: 'Review reminder', guarantee_approval_reminder: 'Approval reminder', disbursal_reminder: 'Disbursal reminder',
    counter_guarantee_expiry: 'Counter-guarantee expired', guarantee_review_expiry: 'Review expired',
    guarantee_approval_expiry: 'Approval expired', disbursal_expiry: 'Disbursal expired', loan: 'Loan',
  },
  forms: {
    counterGuarantee: 'Counter-guarantee decision', type: 'Counter-guarantee type', review: 'Guarantee review', recommendation: 'Recommendation',
    recommendedAmount: 'Recommended amount', approval: 'Guarantee approval (maker–checker)', reviewer: 'Reviewer',
    reviewerNote: 'Reviewed by {{name}}; someone else must approve.', disbursal: 'Disbursal', contractNo: 'Contract number',
    annualRate: 'Annual rate (fraction, e.g. 0.0435)', rateCap: 'at most {{cap}}', disbursedOn: 'Disbursed on', bankReference: 'Bank reference',
    required: 'Required', idNumberInvalid: 'ID number check failed: {{problem}}',
    idProblem: { shape: '18 characters: 17 digits then a digit or X', date: 'the birth date does not exist', early: 'born before 1900', check: 'the check digit is wrong' },
    amountBand: 'Amount must be between {{min}} and {{max}}', amountFormat: 'At most two decimals, e.g. 80000.00',
  },
  apply: {
    title: 'Apply for a guaranteed start-up loan', policy: 'Policy in force: effective {{date}}',
    band: 'Guarantee {{min}} to {{max}}, term {{tmin}} to {{tmax}} months', certificateNo: 'Training certificate number',
    idNumber: 'ID number', name: 'Name', phone: 'Mobile phone', targetGroup: 'Target group', community: 'Credit community',
    bank: 'Partner bank (optional)', amount: 'Amount (yuan)', term: 'Term (months)', method: 'Repayment method', plan: 'Business plan',
    submit: 'Submit application', submitted: 'Application submitted',
  },
  loan: {
    title: 'Loans', mine: 'My loan', contract: 'Contract number', principal: 'Principal', outstanding: 'Outstanding', rate: 'Annual rate',
    disbursedOn: 'Disbursed on', maturity: 'Maturity', subsidyEarned: 'Subsidy earned', schedule: 'Repayment schedule', period: 'Period',
    dueOn: 'Due on', due: 'Amount due', paid: 'Paid', onTime: 'On time', late: 'Late', unpaid: 'Unpaid', repayments: 'Repayments',
    repay: 'Record a repayment', paidOn: 'Paid on', extension: 'Extension', months: 'Months', early: 'Early repayment', bucket: 'Overdue',
    buckets: { current: 'Current', d1_30: '1–30 days overdue', d31_90: '31–90 days overdue', d90: 'Over 90 days overdue' }, subsidy: 'Subsidy',
    recovery: 'Recovery', default: 'Default and compensation', interest: 'Interest', none: 'No loan yet',
  },
  claims: {
    title: 'Quarterly subsidy claims', file: 'File a quarterly claim', quarter: 'Quarter', bank: 'Bank', total: 'Subsidy', filedOn: 'Filed on',
    check: 'Check', approve: 'Approve', checkedBy: 'Checked by', approvedBy: 'Approved by', refile: 'File again', lines: 'Lines',
    status: {
      SUBMITTED: 'To check', CHECKED: 'To approve', PENDING_BUDGET: 'Pending budget', PAID: 'Paid', PAYOUT_REVERSED: 'Payout reversed', REJECTED: 'Rejected',
    },
    late: 'Late claim',
  },
  funds: {
    title: 'Special fund', budget: 'Budget', reserved: 'Reserved', paid: 'Paid', available: 'Available', year: 'Year',
    topUp: 'Propose a top-up', proposals: 'Top-up proposals', proposedBy: 'Proposed by', decide: 'Decide', proposal: 'Proposal',
  },
  recon: {
    title: 'Reconciliation', upload: 'Upload a bank statement', file: 'Statement file (CSV or XLSX)', mismatches: 'Mismatches',
    resolve: 'Resolve', explanation: 'Explanation', reversal: 'Reverse the payout', kind: {
      amount_differs: 'Amount differs', date_differs: 'Date differs', duplicated: 'Duplicated', missing_in_ledger: 'Not in the ledger',
      missing_in_statement: 'Not in the statement',
    }, resolved: 'Resolved', unresolved: 'Unresolved', lines: 'Lines', progress: 'Upload progress',
  },
  periods: {
    title: 'Quarter close', close: 'Close', reopen: 'Ask to reopen', open: 'Open', closed: 'Closed', blockers: 'What blocks the close',
    requests: 'Reopen requests', decide: 'Decide',
  },
  reports: { title: 'Indicator report', from: 'From', to: 'To', groupBy: 'Group by', csv: 'Download CSV', xlsx: 'Download Excel', group: {
    region: 'Region', community: 'Credit community', bank: 'Bank', training_institution: 'Training institution' } },
  audit: { entries: 'Entries', sealed: 'Sealed', unsealed: 'Unsealed', balanced: 'Balanced', chain: 'Hash chain intact', head: 'Head hash', notYet: 'The audit trail list is not available yet', title: 'Audit trail', action: 'Action', actor: 'By', at: 'When', entity: 'Entity', verify: 'Verify the ledger', verified: 'Verified', broken: 'Verification failed' },
  admin: { users: 'Users', organisations: 'Organisations', policies: 'Policy versions', effectiveFrom: 'Effective from', changes: 'Changes from the version before', active: 'Active' },
};

export default enUS;
