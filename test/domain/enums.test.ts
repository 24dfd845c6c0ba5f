import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
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
  it('holds the vocabularies docs/api.md states, in its order', () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/api.md'), 'utf8');
    const listed = (label: string) => {
      const line = doc.split('\n').find((l) => l.startsWith(`- ${label}: `));
      if (!line) throw new Error(`docs/api.md lists no ${label}`);
      return [...line.split(';')[0]!.slice(label.length + 4).matchAll(/`(\w+)`/g)].map((m) => m[1]);
    };
    expect(targetGroupSchema.options).to.deep.equal(listed('`targetGroup`'));
    expect(repaymentMethodSchema.options).to.deep.equal(listed('`repaymentMethod`'));
    expect(courseSchema.options).to.deep.equal(listed('`course`'));
    expect(organisationTypeSchema.options).to.deep.equal(listed('organisation `type`'));
    expect(counterGuaranteeTypeSchema.options).to.deep.equal(listed('counter-guarantee `type`'));
    expect([...roles]).to.deep.equal(listed('`role`'));
    expect([...applicationStatuses]).to.deep.equal(listed('application `status`'));
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
