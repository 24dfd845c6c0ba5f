import type { AuthUser } from './auth/middleware';
import type { Actor } from '../workflows/definitions';

export function actorOf(u: AuthUser): Actor {
  return { userId: u.id, username: u.username, role: u.role, orgId: u.orgId };
}
