/** The line the server process (server.ts) prints once it serves, followed by its URLs as JSON. */
export const READY = 'bench-server-ready ';
