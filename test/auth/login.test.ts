import { expect } from 'chai';
import { performance } from 'node:perf_hooks';
import { testEnv, type AppDatabase, type TestEnv } from '../support/env';
import { newIdNumber } from '../support/api';
import { startPlainApi, type Api } from './helpers';
import { DEFAULT_LOGIN_LIMITS, lockSecondsFor } from '../../api/auth/login-limits';
import { addressKey } from '../../api/auth/client-address';
import ipaddr from 'ipaddr.js';
import { rawRequest } from '../support/raw-http';
import fc from 'fast-check';

const tooMany = /^too many failed sign-ins; try again in \d+ minutes?$/;

/**
 * Sign-in limits and what sign-in and registration give away. A database of its own, so the
 * counters start empty (the rest of the suite signs in from the same address).
 */
describe('sign-in and registration', () => {
  let env: TestEnv, d: AppDatabase, api: Api;
  const login = (username: string, password: string) => api.call('POST', '/v1/auth/login', { body: { username, password } });
  /** The same sign-in from another client address (127.0.0.0/8 is all loopback on Linux). */
  const loginFrom = async (address: string, username: string, password: string, url = api.url) => {
    const r = await rawRequest(url, {
      method: 'POST', path: '/v1/auth/login', localAddress: address,
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
    });
    return { status: r.status, body: r.json, retryAfter: r.headers['retry-after'] };
  };
  /** What the passing of time would do: every lock and count runs out. */
  const timePasses = () => d.admin.raw('update login_limits set expire = 0');

  before(async () => {
    env = await testEnv();
    d = await env.newDatabase('auth_login', { seed: true, pool: 6 });
    api = await startPlainApi(env, { db: d.db });
  });
  beforeEach(async () => d.admin.raw('delete from login_limits'));
  after(async () => api?.close());

  it('backs off exponentially after 5 failures of a username from an address, then up to 15 minutes', () => {
    const s = DEFAULT_LOGIN_LIMITS;
    expect([1, 5, 6, 7, 8, 9, 10, 11, 50].map((n) => lockSecondsFor(n, s))).to.deep.equal([0, 0, 60, 120, 240, 480, 900, 900, 900]);
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => {
      expect(lockSecondsFor(n + 1, s)).to.be.at.least(lockSecondsFor(n, s));
      expect(lockSecondsFor(n, s)).to.be.at.most(s.maxLockSeconds);
    }));
  });

  it('locks a username at an address after repeated wrong passwords: 200 tries get 6 checks, then the right password waits too there', async () => {
    const statuses: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < 200; i += 1) statuses.push((await login('applicant', `wrong-${i}`)).status);
    const ms = performance.now() - t0;
    expect(statuses.slice(0, 6)).to.deep.equal([401, 401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(6))).to.deep.equal(new Set([429]));
    const right = await login('applicant', 'demo');
    expect(right.status).to.equal(429);
    expect(right.body.error.message).to.match(tooMany);
    const retryAfter = Number(right.headers.get('retry-after'));
    expect(retryAfter).to.be.within(1, 60);
    console.log(`      (200 wrong passwords: ${ms.toFixed(0)} ms)`);

    // The guesses came from one address: the user signs in from another at once.
    expect((await loginFrom('127.0.0.2', 'applicant', 'demo')).status).to.equal(200);

    await timePasses();
    expect((await login('applicant', 'demo')).status).to.equal(200);
    // The success cleared the count: the next mistake is a plain 401 again, not a lock.
    expect((await login('applicant', 'wrong')).status).to.equal(401);
    expect((await login('applicant', 'demo')).status).to.equal(200);
  });

  it('treats an unknown username exactly like a known one (same 401, same lock)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await login('nobody-here', `wrong-${i}`)).status);
    expect(statuses).to.deep.equal([401, 401, 401, 401, 401, 401, 429, 429]);
    const unknown = await login('nobody-else', 'x');
    const wrong = await login('applicant', 'x');
    expect(unknown.body.error).to.deep.equal({ ...wrong.body.error, requestId: unknown.body.error.requestId });
  });

  it('costs an unknown username the same Argon2 work as a wrong password', async () => {
    // The fastest of each: the least disturbed by whatever else the machine runs. Without the
    // dummy hash an unknown user answers in about a quarter of the time.
    const fastest = (xs: number[]) => Math.min(...xs);
    const time = async (username: string, password: string) => {
      const t0 = performance.now();
      expect((await login(username, password)).status).to.equal(401);
      return performance.now() - t0;
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      await timePasses();
      for (let i = 0; i < 5; i += 1) {
        unknown.push(await time(`ghost-${round}-${i}`, 'wrong-password'));
        wrong.push(await time('fin-officer', 'wrong-password'));
      }
    }
    const [u, w] = [fastest(unknown), fastest(wrong)];
    console.log(`      (fastest: unknown user ${u.toFixed(1)} ms, wrong password ${w.toFixed(1)} ms)`);
    expect(u / w).to.be.within(0.6, 1.6);
  });

  it('lets no parallel burst of attempts slip past the limit', async () => {
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => login('community-a', `wrong-${i}`)));
    const checked = replies.filter((r) => r.status === 401).length;
    expect(checked).to.be.at.most(DEFAULT_LOGIN_LIMITS.freeFailures + 1);
    expect(replies.filter((r) => r.status === 429).length).to.equal(30 - checked);
  });

  it('limits failed attempts per address across usernames, not successful sign-ins', async () => {
    const strict = await startPlainApi(env, { db: d.db, deps: { loginLimits: { failuresPerIp: 10 } } });
    try {
      for (let i = 0; i < 30; i += 1) expect((await strict.call('POST', '/v1/auth/login', { body: { username: 'auditor', password: 'demo' } })).status).to.equal(200);
      for (let i = 0; i < 10; i += 1) {
        expect((await strict.call('POST', '/v1/auth/login', { body: { username: `spray-${i}`, password: 'password' } })).status).to.equal(401);
      }
      const locked = await strict.call('POST', '/v1/auth/login', { body: { username: 'spray-x', password: 'password' } });
      expect(locked.status).to.equal(429);
      expect(locked.body.error.message).to.match(tooMany);
      expect(Number(locked.headers.get('retry-after'))).to.be.within(1, DEFAULT_LOGIN_LIMITS.ipLockSeconds);
      // The whole address waits, whoever signs in.
      expect((await strict.call('POST', '/v1/auth/login', { body: { username: 'auditor', password: 'demo' } })).status).to.equal(429);
    } finally {
      await strict.close();
    }
  });

  it('cannot lock a named officer out from elsewhere: guesses from other addresses leave their own address alone', async () => {
    // The review's attack: 5 wrong passwords for g-approver, then again every few minutes.
    for (let i = 0; i < 12; i += 1) await loginFrom('127.0.0.3', 'g-approver', `wrong-${i}`);
    expect((await loginFrom('127.0.0.3', 'g-approver', 'demo')).status).to.equal(429);
    expect((await loginFrom('127.0.0.4', 'g-approver', 'demo')).status).to.equal(200);
  });

  it('slows a guess spread over many addresses with a per-username limit, which never holds up an address that signed the user in lately', async () => {
    const strict = await startPlainApi(env, { db: d.db, deps: { loginLimits: { failuresPerUser: 10 } } });
    try {
      const from = (address: string, password: string) => loginFrom(address, 'fin-approver', password, strict.url);
      expect((await from('127.0.1.1', 'demo')).status, 'the owner, from their usual address').to.equal(200);
      // One guess from each of 10 addresses: no address reaches its own lock.
      for (let i = 0; i < 10; i += 1) expect((await from(`127.0.2.${i + 1}`, `guess-${i}`)).status).to.equal(401);
      const next = await from('127.0.2.200', 'guess-x');
      expect(next.status).to.equal(429);
      expect(next.body.error.message).to.match(tooMany);
      expect(Number(next.retryAfter)).to.be.within(1, DEFAULT_LOGIN_LIMITS.userLimitWindowSeconds);
      // Even the right password waits at a new address; at the owner's own it goes through.
      expect((await from('127.0.2.201', 'demo')).status).to.equal(429);
      expect((await from('127.0.1.1', 'demo')).status).to.equal(200);
      // Another user is not held up by this one's guesses.
      expect((await loginFrom('127.0.2.200', 'fin-officer', 'demo', strict.url)).status).to.equal(200);
    } finally {
      await strict.close();
    }
  });

  it('keys an IPv6 address by its /64 however it is written, and tells different /64s apart (property)', () => {
    const part = fc.integer({ min: 0, max: 0xffff });
    const parts = fc.array(part, { minLength: 8, maxLength: 8 });
    const spell = (p: number[], full: boolean) => (full ? p.map((x) => x.toString(16).padStart(4, '0').toUpperCase()).join(':') : ipaddr.fromByteArray(p.flatMap((x) => [x >> 8, x & 0xff])).toString());
    fc.assert(fc.property(parts, parts, fc.boolean(), fc.boolean(), (a, b, fullA, fullB) => {
      // A /64 of zeros holds the IPv4-mapped addresses, keyed as IPv4 (below).
      fc.pre(a.slice(0, 4).some((x) => x !== 0) && b.slice(0, 4).some((x) => x !== 0));
      const sameBlock = [...a.slice(0, 4), ...b.slice(4)];
      expect(addressKey(spell(a, fullA))).to.equal(addressKey(spell(sameBlock, fullB)));
      const otherBlock = [...b.slice(0, 4), ...a.slice(4)];
      if (b.slice(0, 4).some((x, i) => x !== a[i])) expect(addressKey(spell(a, fullA))).to.not.equal(addressKey(spell(otherBlock, fullB)));
    }));
    expect(addressKey('2001:db8::1')).to.equal('2001:db8:0:0::/64');
    expect(addressKey('::ffff:10.1.2.3')).to.equal('10.1.2.3');
    expect(addressKey('10.1.2.3')).to.equal('10.1.2.3');
    expect(addressKey(undefined)).to.equal('unknown');
    // A forwarding header that names no address gets no allowance of its own.
    expect(addressKey('not-an-address')).to.equal(addressKey('another forged name')).and.to.equal('unknown');
  });

  it('counts an IPv6 client by its /64, the block one subscriber holds, and an IPv4-mapped one as the IPv4 address', async () => {
    const behindProxy = await startPlainApi(env, { db: d.db, deps: { trustProxy: 'loopback', loginLimits: { failuresPerIp: 3 } } });
    try {
      const from = (client: string, username: string) =>
        behindProxy.call('POST', '/v1/auth/login', { body: { username, password: 'password' }, headers: { 'x-forwarded-for': client } });
      // Three addresses of one /64, written three ways: one client's allowance.
      expect((await from('2001:db8:a:b::1', 'spray-1')).status).to.equal(401);
      expect((await from('2001:DB8:A:B:0:0:0:2', 'spray-2')).status).to.equal(401);
      expect((await from('2001:db8:a:b:ffff:ffff:ffff:ffff', 'spray-3')).status).to.equal(401);
      const next = await from('2001:0db8:000a:000b:1234::', 'spray-4');
      expect(next.status, 'a fresh address of the same /64').to.equal(429);
      expect(next.body.error.message).to.match(tooMany);
      // The neighbouring /64 is another subscriber.
      expect((await from('2001:db8:a:c::1', 'spray-5')).status).to.equal(401);
      // An IPv4 client, however the proxy writes it, is its own address.
      for (const client of ['198.51.100.7', '::ffff:198.51.100.7', '198.51.100.7']) expect((await from(client, 'spray-6')).status).to.equal(401);
      expect((await from('::ffff:c633:6407', 'spray-7')).status, 'the same IPv4 address in hex').to.equal(429);
      expect((await from('198.51.100.8', 'spray-8')).status).to.equal(401);
    } finally {
      await behindProxy.close();
    }
  });

  describe('registration', () => {
    const register = (o: { username: string; idNumber: string }) =>
      api.call('POST', '/v1/auth/register', { body: { ...o, password: 'password-1', name: 'Li Na', phone: '13900000003' } });
    const tag = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;

    it('answers alike for a new account, a taken username and a taken ID number, making only the new one', async () => {
      const fresh = { username: `reg-${tag()}`, idNumber: newIdNumber() };
      const made = await register(fresh);
      const takenName = await register({ username: fresh.username, idNumber: newIdNumber() });
      const takenId = { username: `reg-${tag()}`, idNumber: fresh.idNumber };
      const takenNumber = await register(takenId);
      for (const r of [made, takenName, takenNumber]) {
        expect(r.status).to.equal(202);
        expect(Object.keys(r.body).sort()).to.deep.equal(['message', 'status', 'username']);
        expect(r.body.message).to.equal(made.body.message);
      }
      expect((await login(fresh.username, 'password-1')).status).to.equal(200);
      expect((await login(takenId.username, 'password-1')).status).to.equal(401);
      expect(await d.db('users').where({ username: takenId.username }).first()).to.equal(undefined);
      expect(await d.db('users').where({ id_number: fresh.idNumber })).to.have.length(1);

      const refused = await d.db('audit_log').where({ action: 'user.register_refused' }).whereRaw(`payload->>'username' in (?, ?)`, [fresh.username, takenId.username]).orderBy('id');
      expect(refused.map((r) => r.payload.clash)).to.deep.equal(['username', 'idNumber']);
      const account = (await d.db('users').where({ username: fresh.username }).first()).id;
      expect(refused.map((r) => r.entity_id)).to.deep.equal([account, account]);
    });

    /** A registration from another client address, on `url`. */
    const registerFrom = async (url: string, address: string, username: string) => {
      const r = await rawRequest(url, {
        method: 'POST', path: '/v1/auth/register', localAddress: address, headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, idNumber: newIdNumber(), password: 'password-1', name: 'Li Na', phone: '13900000003' }),
      });
      return { status: r.status, body: r.json, retryAfter: Number(r.headers['retry-after']) };
    };
    const madeAccount = async (username: string) => (await d.db('users').where({ username }).first()) !== undefined;

    it('limits registrations per address, and makes nothing past the limit', async () => {
      const strict = await startPlainApi(env, { db: d.db, deps: { registerLimits: { perAddress: 3 } } });
      try {
        const names = Array.from({ length: 5 }, () => `reg-${tag()}`);
        for (const n of names.slice(0, 3)) expect((await registerFrom(strict.url, '127.0.3.1', n)).status).to.equal(202);
        const refused = await registerFrom(strict.url, '127.0.3.1', names[3]!);
        expect(refused.status).to.equal(429);
        expect(refused.body.error.message).to.match(/^too many registrations from this address \(3 an hour\); try again in \d+ minutes?$/);
        expect(refused.retryAfter).to.be.within(1, 3600);
        expect(await madeAccount(names[3]!), 'nothing made past the limit').to.equal(false);
        // Another address registers at once.
        expect((await registerFrom(strict.url, '127.0.3.2', names[4]!)).status).to.equal(202);
        expect(await madeAccount(names[4]!)).to.equal(true);
        await timePasses();
        expect((await registerFrom(strict.url, '127.0.3.1', `reg-${tag()}`)).status, 'after the hour').to.equal(202);
      } finally {
        await strict.close();
      }
    });

    it('limits registrations from all addresses together, sparing the addresses a flood leaves over', async () => {
      const strict = await startPlainApi(env, { db: d.db, deps: { registerLimits: { overall: 4, perAddress: 2 } } });
      try {
        for (let i = 0; i < 4; i += 1) expect((await registerFrom(strict.url, `127.0.4.${i + 1}`, `reg-${tag()}`)).status).to.equal(202);
        const late = `reg-${tag()}`;
        const refused = await registerFrom(strict.url, '127.0.4.1', late);
        expect(refused.status).to.equal(429);
        expect(refused.body.error.message).to.match(/^too many registrations \(4 a minute from all addresses\); try again in 1 minute$/);
        expect(refused.retryAfter).to.be.within(1, 60);
        expect(await madeAccount(late)).to.equal(false);
        // The minute of the overall limit passes (the addresses' hour does not): the refusal took
        // nothing from 127.0.4.1's own allowance of 2, so its second goes through.
        await d.admin.raw(`update login_limits set expire = 0 where key like 'register_all:%'`);
        expect((await registerFrom(strict.url, '127.0.4.1', `reg-${tag()}`)).status).to.equal(202);
      } finally {
        await strict.close();
      }
    });

    it('counts registrations from one IPv6 /64 together', async () => {
      const behindProxy = await startPlainApi(env, { db: d.db, deps: { trustProxy: 'loopback', registerLimits: { perAddress: 2 } } });
      try {
        const from = (client: string) => behindProxy.call('POST', '/v1/auth/register', {
          headers: { 'x-forwarded-for': client },
          body: { username: `reg-${tag()}`, idNumber: newIdNumber(), password: 'password-1', name: 'Li Na', phone: '13900000003' },
        });
        expect((await from('2001:db8:1:2::10')).status).to.equal(202);
        expect((await from('2001:db8:1:2:aaaa::20')).status).to.equal(202);
        const refused = await from('2001:db8:1:2:bbbb::30');
        expect(refused.status).to.equal(429);
        expect(refused.body.error.message).to.match(/^too many registrations from this address/);
        expect((await from('2001:db8:1:3::10')).status, 'another /64').to.equal(202);
      } finally {
        await behindProxy.close();
      }
    });

    it('still keeps one applicant account per ID number in the database itself', async () => {
      const idNumber = newIdNumber();
      await register({ username: `reg-${tag()}`, idNumber });
      const err = await d.db('users')
        .insert({ username: `reg-${tag()}`, password_hash: 'x', role: 'applicant', id_number: idNumber })
        .then(() => undefined, (e: { constraint?: string }) => e);
      expect(err?.constraint).to.equal('users_applicant_id_number');
    });
  });
});
