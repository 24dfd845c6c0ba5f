import { z } from 'zod';
import { targetGroups, repaymentMethods, courses, organisationTypes, roles, applicationStatuses, counterGuaranteeTypes, subsidyModes, decisions } from './vocabularies';

// The API's enums, derived from the vocabularies (vocabularies.ts), which workflows import without zod.
export * from './vocabularies';

export const targetGroupSchema = z.enum(targetGroups);
export const repaymentMethodSchema = z.enum(repaymentMethods);
export const courseSchema = z.enum(courses);
export const organisationTypeSchema = z.enum(organisationTypes);
export const roleSchema = z.enum(roles);
export const applicationStatusSchema = z.enum(applicationStatuses);
export const counterGuaranteeTypeSchema = z.enum(counterGuaranteeTypes);
export const subsidyModeSchema = z.enum(subsidyModes);
export const decisionSchema = z.enum(decisions);
