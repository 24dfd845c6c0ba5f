import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, early, ok, setToken, currentToken, whenSessionExpires } from './api/client';
import type { components } from './api/schema';

export type Me = components['schemas']['User'];

interface Session {
  me: Me | null;
  /** True while the stored token is being checked at start-up. */
  loading: boolean;
  /** Set when the session ended by itself (401): the login screen says so. */
  expired: boolean;
  signIn(username: string, password: string): Promise<Me>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queries = useQueryClient();
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(Boolean(currentToken()));
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    whenSessionExpires(() => {
      setToken(null);
      setMe(null);
      setExpired(true);
      queries.clear();
    });
    if (!currentToken()) return;
    ok(early<Me>('/v1/me') ?? api.GET('/v1/me'))
      .then((u) => setMe(u))
      .catch(() => setToken(null))
      .finally(() => setLoading(false));
  }, [queries]);

  const signIn = useCallback(async (username: string, password: string) => {
    const r = await ok(api.POST('/v1/auth/login', { body: { username, password } }));
    setToken(r.token);
    setExpired(false);
    setMe(r.user);
    return r.user;
  }, []);

  const signOut = useCallback(async () => {
    // Ends every token of this user on the server; the local session ends whatever it answers.
    await ok(api.POST('/v1/auth/logout')).catch(() => undefined);
    setToken(null);
    setMe(null);
    setExpired(false);
    queries.clear();
  }, [queries]);

  const value = useMemo(() => ({ me, loading, expired, signIn, signOut }), [me, loading, expired, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
