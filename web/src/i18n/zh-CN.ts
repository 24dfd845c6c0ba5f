// The officers' own words: the terms of the policy documents (docs/console.md).
const zhCN = {
  app: { title: '创业担保贷款业务系统', skip: '跳到主要内容' },
  common: {
    pages: '分页',
    previous: '上一页',
    next: '下一页',
    pageOf: '第 {{page}} / {{pages}} 页',
    loading: '加载中…', empty: '暂无数据', retry: '重试', error: '加载失败', submit: '提交', cancel: '取消', back: '返回',
    search: '搜索', reset: '重置', actions: '操作', view: '查看', yes: '是', no: '否', reason: '理由', amount: '金额',
    date: '日期', status: '状态', name: '姓名', total: '共 {{count}} 条', saved: '已保存', refused: '未通过：{{message}}',
    networkError: '无法连接服务器，请稍后重试', download: '下载', all: '全部', readOnly: '只读',
  },
  lang: { label: '语言', zh: '中文', en: 'English' },
  login: {
    title: '登录', username: '用户名', password: '密码', submit: '登录', register: '注册申请人账号',
    expired: '登录已过期，请重新登录，登录后将回到原页面。', locked: '{{message}}（请在 {{seconds}} 秒后重试）',
    failed: '用户名或密码错误',
  },
  register: {
    title: '申请人注册', idNumber: '身份证号码', name: '姓名', phone: '手机号码', username: '用户名', password: '密码（至少 8 位）',
    submit: '注册', received: '注册申请已收到。请用刚才的用户名和密码登录；如无法登录，说明用户名或身份证号已有账号：请换一个用户名，或联系服务窗口找回账号。',
    toLogin: '去登录',
  },
  nav: {
    tasks: '我的待办', applications: '申请查询', apply: '申请贷款', myApplication: '我的申请', loans: '贷款', myLoan: '我的贷款',
    claims: '季度贴息申请', funds: '专项资金', reconciliations: '银行对账', periods: '季度结账', reports: '指标报表',
    audit: '审计日志', ledger: '总账', users: '用户', organisations: '机构', policies: '政策版本', community: '本社区申请人',
    signOut: '退出登录', signedInAs: '{{name}}（{{role}}）',
  },
  role: {
    applicant: '申请人', training_officer: '培训机构经办人', community_officer: '社区经办人', guarantee_reviewer: '担保机构初审人',
    guarantee_approver: '担保机构审批人', bank_officer: '银行经办人', finance_officer: '财政经办人', finance_approver: '财政审批人',
    auditor: '审计人员', admin: '系统管理员',
  },
  status: {
    SUBMITTED: '已提交', AWAITING_COUNTER_GUARANTEE: '待社区反担保', AWAITING_GUARANTEE_REVIEW: '待担保初审',
    AWAITING_GUARANTEE_APPROVAL: '待担保审批', AWAITING_DISBURSAL: '待银行放款', REPAYING: '还款中', REPAID: '已结清',
    REJECTED: '已拒绝', WITHDRAWN: '已撤回', EXPIRED: '已超期', DEFAULTED: '已违约（代偿）',
  },
  targetGroup: {
    unemployed: '城镇登记失业人员', college_graduate: '高校毕业生', returning_migrant_worker: '返乡创业农民工', veteran: '退役军人',
    disabled: '残疾人', other: '其他',
  },
  method: { monthly_interest_bullet: '按月付息、到期还本', equal_instalment: '等额本息' },
  counterType: { credit_community: '信用社区', guarantor: '自然人保证', collateral: '抵质押' },
  decision: { approved: '同意', rejected: '不同意', passed: '通过', submitted: '已提交', disbursed: '已放款', reminded: '已催办', expired: '已超期', withdrawn: '已撤回', recommended: '建议同意', approve: '同意', reject: '不同意' },
  tasks: {
    what: '事项',
    subject: '内容',
    maker: '经办情况',
    since: '{{at}} 起等待',
    reminders: '{{count}} 件需催办',
    kind: { fund_top_up: '追加预算待审批', period_reopen: '反结账待审批', loan_recovery: '代偿待追偿' },
    claim: { SUBMITTED: '贴息申请待审核', CHECKED: '贴息申请待审批', PENDING_BUDGET: '贴息待预算', REJECTED: '贴息申请已退回，待重新申请' },
    title: '我的待办', none: '没有等待您办理的事项', applicant: '申请号', deadline: '办理时限', left: '剩余', overdueBy: '已逾期 {{time}}',
    remaining: '{{time}}', reminder: '催办', overdue: '逾期', reviewedBy: '初审人', open: '办理', days: '{{count}} 天',
    hours: '{{count}} 小时', minutes: '{{count}} 分钟', step: '待办环节',
  },
  apps: {
    title: '申请查询', search: '申请号、姓名或身份证号', number: '申请号', idNumber: '身份证号码', requested: '申请金额',
    recommended: '建议担保金额', approved: '审批金额', term: '期限（月）', submittedOn: '提交日期', filterStatus: '状态',
  },
  detail: {
    title: '申请详情', timeline: '办理过程', who: '经办人', when: '时间', why: '理由', policy: '政策版本', community: '信用社区',
    bank: '经办银行', method: '还款方式', targetGroup: '人员类别', certificate: '创业培训合格证书', deadline: '本环节办理时限',
    endReason: '结束原因', loan: '查看贷款', decide: '办理', withdraw: '撤回申请', withdrawReason: '撤回理由',
  },
  step: {
    submission: '提交申请', intake_check: '资格审查', intake: '受理', counter_guarantee: '社区反担保', guarantee_review: '担保初审', guarantee_approval: '担保审批', disbursal: '银行放款',
    withdrawal: '撤回', counter_guarantee_reminder: '反担保催办', guarantee_review_reminder: '初审催办',
    guarantee_approval_reminder: '审批催办', disbursal_reminder: '放款催办', counter_guarantee_expiry: '反担保超期',
    guarantee_review_expiry: '初审超期', guarantee_approval_expiry: '审批超期', disbursal_expiry: '放款超期', loan: '贷款',
  },
  forms: {
    counterGuarantee: '反担保决定', type: '反担保方式', review: '担保初审', recommendation: '初审意见',
    recommendedAmount: '建议担保金额', approval: '担保审批（审贷分离）', reviewer: '初审人', reviewerNote: '初审人为 {{name}}，审批须由另一人办理。',
    disbursal: '放款', contractNo: '借款合同编号', annualRate: '年利率（小数，如 0.0435）', rateCap: '不超过 {{cap}}',
    disbursedOn: '放款日期', bankReference: '银行流水号', required: '必填', idNumberInvalid: '身份证号码校验未通过：{{problem}}',
    idProblem: { shape: '应为 18 位：17 位数字加 1 位数字或 X', date: '出生日期不存在', early: '出生日期早于 1900 年', check: '校验码错误' },
    amountBand: '金额须在 {{min}} 至 {{max}} 之间', amountFormat: '金额格式：最多两位小数，如 80000.00',
  },
  apply: {
    title: '申请创业担保贷款', policy: '现行政策版本：{{date}} 起施行', band: '担保金额 {{min}} 至 {{max}}，期限 {{tmin}} 至 {{tmax}} 个月',
    certificateNo: '创业培训合格证书编号', idNumber: '身份证号码', name: '姓名', phone: '手机号码', targetGroup: '人员类别',
    community: '信用社区', bank: '经办银行（可选）', amount: '申请金额（元）', term: '期限（月）', method: '还款方式',
    plan: '创业计划', submit: '提交申请', submitted: '申请已提交',
  },
  loan: {
    title: '贷款', mine: '我的贷款', contract: '借款合同编号', principal: '本金', outstanding: '未还本金', rate: '年利率',
    disbursedOn: '放款日期', maturity: '到期日', subsidyEarned: '已获财政贴息', schedule: '还款计划', period: '期次',
    dueOn: '应还日期', due: '应还金额', paid: '已还', onTime: '按期', late: '逾期', unpaid: '未还', repayments: '还款记录',
    repay: '登记还款', paidOn: '还款日期', extension: '展期', months: '展期月数', early: '提前还款', bucket: '逾期分档',
    buckets: { current: '正常', d1_30: '逾期 1–30 天', d31_90: '逾期 31–90 天', d90: '逾期 90 天以上' }, subsidy: '贴息',
    recovery: '追偿', default: '违约与代偿', interest: '利息', none: '暂无贷款',
  },
  claims: {
    title: '季度贴息申请', file: '提交季度贴息申请', quarter: '季度', bank: '经办银行', total: '贴息金额', filedOn: '提交日期',
    check: '审核', approve: '审批', checkedBy: '审核人', approvedBy: '审批人', refile: '重新申请', lines: '明细',
    status: {
      SUBMITTED: '待审核', CHECKED: '待审批', PENDING_BUDGET: '待预算', PAID: '已拨付', PAYOUT_REVERSED: '拨付已冲回', REJECTED: '已退回',
    },
    late: '逾期申请',
  },
  funds: {
    title: '专项资金', budget: '预算', reserved: '已预留', paid: '已拨付', available: '可用', year: '年度', topUp: '追加预算（提议）',
    proposals: '追加预算提议', proposedBy: '提议人', decide: '审批', proposal: '提议',
  },
  recon: {
    title: '银行对账', upload: '上传银行对账单', file: '对账单文件（CSV 或 XLSX）', mismatches: '差异', resolve: '处理差异',
    explanation: '说明', reversal: '冲回拨付', kind: {
      amount_differs: '金额不符', date_differs: '日期不符', duplicated: '重复', missing_in_ledger: '账上无此拨付',
      missing_in_statement: '对账单无此笔',
    }, resolved: '已处理', unresolved: '未处理', lines: '行数', progress: '上传进度',
  },
  periods: {
    title: '季度结账', close: '结账', reopen: '申请反结账', open: '未结账', closed: '已结账', blockers: '不能结账的原因',
    requests: '反结账申请', decide: '审批',
  },
  reports: { title: '指标报表', from: '起', to: '止', groupBy: '分组', csv: '下载 CSV', xlsx: '下载 Excel', group: {
    region: '地区', community: '信用社区', bank: '经办银行', training_institution: '培训机构' } },
  audit: { entries: '分录数', sealed: '已封存', unsealed: '未封存', balanced: '借贷平衡', chain: '哈希链完整', head: '链头哈希', notYet: '审计日志列表尚未提供', title: '审计日志', action: '事项', actor: '操作人', at: '时间', entity: '对象', verify: '完整性校验', verified: '校验通过', broken: '校验未通过' },
  admin: { users: '用户', organisations: '机构', policies: '政策版本', effectiveFrom: '施行日期', changes: '与上一版本相比的变化', active: '启用' },
};

export default zhCN;
export type Messages = typeof zhCN;
