import { orgTypeOfRole } from '../../../domain/roles';

/** Which organisation type each officer's role belongs to (none for the admin): the server's rule. */
export const ORG_TYPE_OF_ROLE: Record<string, string | null> = { ...orgTypeOfRole, admin: null };
export const OFFICER_ROLES = Object.keys(ORG_TYPE_OF_ROLE);
export { organisationTypes as ORG_TYPES } from '../../../domain/vocabularies';
