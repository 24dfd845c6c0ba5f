import { SignJWT, jwtVerify, errors } from 'jose';

export interface TokenClaims {
  sub: string;
  username: string;
  role: string;
  orgId: string | null;
  /** The user's token version when issued: a logout or deactivation bumps it, and older tokens die. */
  tokenVersion: number;
}

const ISSUER = 'loanflow';
const AUDIENCE = 'loanflow-api';

// HS256 through jose: a maintained, dependency-free JOSE implementation; one shared secret
// suffices because the API is the only party that issues and checks tokens.
export async function issueToken(secret: string, claims: TokenClaims, ttlSeconds: number): Promise<string> {
  return new SignJWT({ username: claims.username, role: claims.role, orgId: claims.orgId, tv: claims.tokenVersion })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: string };

export async function verifyToken(secret: string, token: string): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    if (typeof payload.sub !== 'string') return { ok: false, reason: 'token has no subject' };
    if (typeof payload.tv !== 'number' || !Number.isInteger(payload.tv)) return { ok: false, reason: 'token is not valid' };
    return {
      ok: true,
      claims: {
        sub: payload.sub,
        username: String(payload.username),
        role: String(payload.role),
        orgId: typeof payload.orgId === 'string' ? payload.orgId : null,
        tokenVersion: payload.tv,
      },
    };
  } catch (e) {
    if (e instanceof errors.JWTExpired) return { ok: false, reason: 'token has expired; log in again' };
    return { ok: false, reason: 'token is not valid' };
  }
}
