import type { RequestHandler, Request } from 'express';
import type { Knex } from 'knex';
import { ApiError } from '../errors';
import { verifyToken } from './tokens';
import type { Role } from '../../domain/enums';

/** The signed-in user, as every handler sees it (loaded fresh, so a deactivated user is out at once). */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  orgId: string | null;
  idNumber: string | null;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      user?: AuthUser;
    }
  }
}

export function authenticate(deps: { db: Knex; jwtSecret: string }): RequestHandler {
  return async (req, _res, next) => {
    try {
      const header = req.headers.authorization;
      const match = header?.match(/^Bearer\s+(\S+)$/i);
      if (!match) throw new ApiError('UNAUTHENTICATED', 'Send Authorization: Bearer <token> (from POST /v1/auth/login)');
      const check = await verifyToken(deps.jwtSecret, match[1]!);
      if (!check.ok) throw new ApiError('UNAUTHENTICATED', check.reason);
      const row = await deps.db('users').where({ id: check.claims.sub }).first();
      if (!row || !row.active) throw new ApiError('UNAUTHENTICATED', 'user no longer exists or is deactivated');
      if (row.token_version !== check.claims.tokenVersion) throw new ApiError('UNAUTHENTICATED', 'token has been revoked (logout or deactivation); log in again');
      req.user = { id: row.id, username: row.username, role: row.role, orgId: row.org_id, idNumber: row.id_number };
      next();
    } catch (e) {
      next(e);
    }
  };
}

export function currentUser(req: Request): AuthUser {
  if (!req.user) throw new ApiError('UNAUTHENTICATED', 'not signed in');
  return req.user;
}

/** 403 unless the signed-in user has one of the roles. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const user = req.user;
    if (!user) return next(new ApiError('UNAUTHENTICATED', 'not signed in'));
    if (!roles.includes(user.role)) {
      return next(new ApiError('FORBIDDEN', `role ${user.role} may not do this; allowed: ${roles.join(', ')}`));
    }
    next();
  };
}
