/** Where the console's generated client types live (web-client.ts writes them; git ignores them). */
export const CLIENT_TYPES = 'web/src/api/schema.d.ts';
