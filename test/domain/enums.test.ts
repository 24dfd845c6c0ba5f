import { expect } from 'chai';
import {
  applicationStatusSchema,
  applicationStatuses,
  counterGuaranteeTypeSchema,
  courseSchema,
  isFinalApplicationStatus,
  organisationTypeSchema,
  repaymentMethodSchema,
  roleSchema,
  roles,
  targetGroupSchema,
} from '../../domain/enums';

describe('domain/enums', () => {
  it('holds the vocabularies of API.md', () => {
    expect(targetGroupSchema.options).to.deep.equal([
      'unemployed',
      'college_graduate',
      'returning_migrant_worker',
      'veteran',
      'disabled',
      'other',
    ]);
    expect(repaymentMethodSchema.options).to.deep.equal(['monthly_interest_bullet', 'equal_instalment']);
    expect(courseSchema.options).to.deep.equal(['SYB', 'GYB', 'IYB']);
    expect(organisationTypeSchema.options).to.deep.equal([
      'training_institution',
      'community',
      'guarantee_company',
      'bank',
      'finance_bureau',
    ]);
    expect(counterGuaranteeTypeSchema.options).to.deep.equal(['credit_community', 'guarantor', 'collateral']);
    expect(roles).to.have.length(10);
    expect(applicationStatuses).to.have.length(11);
  });

  it('refuses values outside the vocabulary, case-sensitively', () => {
    expect(roleSchema.safeParse('Admin').success).to.equal(false);
    expect(targetGroupSchema.safeParse('student').success).to.equal(false);
    expect(applicationStatusSchema.safeParse('submitted').success).to.equal(false);
  });

  it('knows which statuses are final', () => {
    const final = applicationStatuses.filter(isFinalApplicationStatus);
    expect(final).to.deep.equal(['REPAID', 'REJECTED', 'WITHDRAWN', 'EXPIRED', 'DEFAULTED']);
  });
});
