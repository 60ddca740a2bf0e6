import { flipId, transition, type Signal } from '../../src/domain/transitions';
import type { Monitor } from '../../src/domain/types';
import type { Page, PageKey, PingData, Store } from '../../src/store/port';
import { hashApiKey, newApiKey } from '../../src/services/secrets';
import { makeAccount, makeMonitor } from '../support/factories';
import { storeKinds } from '../support/stores';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const pingData = (when: Date, overrides: Partial<PingData> = {}): PingData => ({
  at: when,
  method: 'GET',
  kind: 'success',
  exitCode: null,
  rid: null,
  source: '203.0.113.9',
  userAgent: 'curl/8',
  body: null,
  ...overrides,
});

/** The storage contract: every adapter must behave exactly like this. */
describe.each(storeKinds())('store contract on %s', (name, kind) => {
  // SQLite calls are synchronous: "concurrent" requests there run one after another, and the
  // test names say so. Firestore's really overlap. Real overlap on SQLite is the two-process test.
  const together = name === 'sqlite' ? 'interleaved (sequential on SQLite)' : 'concurrent';
  let store: Store;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  async function withMonitor(overrides: Partial<Monitor> = {}): Promise<Monitor> {
    const account = makeAccount();
    await store.createAccount(account);
    const monitor = makeMonitor({ accountId: account.id, ...overrides });
    expect(await store.createMonitor(monitor, null)).toBe('created');
    return monitor;
  }

  async function upMonitor(overrides: Partial<Monitor> = {}): Promise<Monitor> {
    const m = await withMonitor(overrides);
    return (await store.recordPing(m.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0))))!.monitor;
  }

  describe('accounts', () => {
    test('an account is found by its key hash', async () => {
      const account = makeAccount();
      expect(await store.createAccount(account)).toBe('created');
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toEqual(account);
    });

    test('an unknown key hash finds nothing', async () => {
      expect(await store.findAccountByKeyHash('0'.repeat(64))).toBeNull();
    });

    test('an account is found by its e-mail', async () => {
      const account = makeAccount({ email: 'owner/ops%team@company.com' });
      await store.createAccount(account);
      await store.createAccount(makeAccount());
      expect(await store.findAccountByEmail('owner/ops%team@company.com')).toEqual(account);
    });

    test('an unknown e-mail finds nothing', async () => {
      await store.createAccount(makeAccount({ email: 'dev@company.com' }));
      expect(await store.findAccountByEmail('nobody@company.com')).toBeNull();
    });

    test('a second account with the same e-mail is refused and the first keeps its key', async () => {
      const first = makeAccount({ email: 'dev@company.com' });
      const second = makeAccount({ email: 'dev@company.com' });
      await store.createAccount(first);
      expect(await store.createAccount(second)).toBe('email_taken');
      expect(await store.findAccountByKeyHash(second.apiKeyHash)).toBeNull();
      expect(await store.findAccountByKeyHash(first.apiKeyHash)).not.toBeNull();
    });

    test(`${together} signups with one e-mail create exactly one account`, async () => {
      const attempts = Array.from({ length: 8 }, () => makeAccount({ email: 'race@company.com' }));
      const results = await Promise.all(attempts.map((a) => store.createAccount(a)));
      expect(results.filter((r) => r === 'created')).toHaveLength(1);
    });
  });

  describe('key rotation and recovery', () => {
    const hour = 3600;

    test('a replaced key stops finding the account and the new one finds it', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      const fresh = hashApiKey(newApiKey());
      expect(await store.replaceApiKey(account.id, account.apiKeyHash, fresh)).toBe(true);
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toBeNull();
      expect(await store.findAccountByKeyHash(fresh)).toEqual({ ...account, apiKeyHash: fresh });
    });

    test('replacing with a key the account no longer has changes nothing', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      expect(await store.replaceApiKey(account.id, hashApiKey(newApiKey()), hashApiKey(newApiKey()))).toBe(false);
      expect(await store.replaceApiKey('0'.repeat(20), account.apiKeyHash, hashApiKey(newApiKey()))).toBe(false);
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toEqual(account);
    });

    test('of concurrent rotations from one key exactly one wins', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      const candidates = Array.from({ length: 6 }, () => hashApiKey(newApiKey()));
      const results = await Promise.all(candidates.map((h) => store.replaceApiKey(account.id, account.apiKeyHash, h)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = candidates[results.indexOf(true)];
      const found = await Promise.all(candidates.map((h) => store.findAccountByKeyHash(h)));
      expect(found.map((a) => a?.apiKeyHash ?? null)).toEqual(candidates.map((h) => (h === winner ? winner : null)));
    });

    test('a saved token is redeemed once for a new key, and the old key stops', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      expect(await store.saveRecoveryToken(account.email, 'token-hash', at(hour))).toBe(true);
      const fresh = hashApiKey(newApiKey());
      expect(await store.redeemRecoveryToken(account.email, 'token-hash', at(0), fresh)).toBe(true);
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toBeNull();
      expect((await store.findAccountByKeyHash(fresh))!.id).toBe(account.id);
      expect(await store.redeemRecoveryToken(account.email, 'token-hash', at(1), hashApiKey(newApiKey()))).toBe(false);
      expect(await store.findAccountByKeyHash(fresh)).not.toBeNull();
    });

    test('saving a token for an unknown e-mail reports false', async () => {
      expect(await store.saveRecoveryToken('nobody@company.com', 'token-hash', at(hour))).toBe(false);
    });

    test.each([
      ['an expired token', 'token-hash', 'owner', hour],
      ['a wrong token', 'other-hash', 'owner', 0],
      ['another account’s e-mail', 'token-hash', 'other', 0],
    ])('%s redeems nothing and keeps the key', async (_what, hash, whose, seconds) => {
      const account = makeAccount();
      const other = makeAccount();
      await store.createAccount(account);
      await store.createAccount(other);
      await store.saveRecoveryToken(account.email, 'token-hash', at(hour));
      const email = whose === 'owner' ? account.email : other.email;
      expect(await store.redeemRecoveryToken(email, hash, at(seconds), hashApiKey(newApiKey()))).toBe(false);
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toEqual(account);
      expect(await store.findAccountByKeyHash(other.apiKeyHash)).toEqual(other);
      // Still there for the right e-mail, before it expires.
      expect(await store.redeemRecoveryToken(account.email, 'token-hash', at(hour - 1), hashApiKey(newApiKey()))).toBe(true);
    });

    test('a newer token replaces the earlier one', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      await store.saveRecoveryToken(account.email, 'first', at(hour));
      await store.saveRecoveryToken(account.email, 'second', at(hour));
      expect(await store.redeemRecoveryToken(account.email, 'first', at(0), hashApiKey(newApiKey()))).toBe(false);
      expect(await store.redeemRecoveryToken(account.email, 'second', at(0), hashApiKey(newApiKey()))).toBe(true);
    });

    test('of concurrent redemptions of one token exactly one succeeds', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      await store.saveRecoveryToken(account.email, 'token-hash', at(hour));
      const candidates = Array.from({ length: 6 }, () => hashApiKey(newApiKey()));
      const results = await Promise.all(candidates.map((h) => store.redeemRecoveryToken(account.email, 'token-hash', at(0), h)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = candidates[results.indexOf(true)];
      expect((await store.findAccountByKeyHash(winner))!.id).toBe(account.id);
      for (const h of candidates.filter((c) => c !== winner)) expect(await store.findAccountByKeyHash(h)).toBeNull();
    });
  });

  describe('account deletion', () => {
    test('deleting an account removes its monitors, history and alerts, and frees its e-mail', async () => {
      const account = makeAccount({ email: 'leaving@company.com' });
      const other = await withMonitor();
      await store.createAccount(account);
      const monitors = [makeMonitor({ accountId: account.id }), makeMonitor({ accountId: account.id })];
      for (const m of monitors) await store.createMonitor(m, null);
      const [m] = monitors;
      await store.recordPing(m.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0)));
      await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', at(m.schedule + m.grace)));
      expect(await store.listNotifications(m.id)).toHaveLength(1);

      expect(await store.deleteAccount(account.id)).toBe(true);
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toBeNull();
      expect(await store.findAccountByEmail(account.email)).toBeNull();
      expect(await store.listMonitors(account.id)).toEqual([]);
      for (const mon of monitors) {
        expect(await store.getMonitor(mon.id)).toBeNull();
        expect(await store.listPings(mon.id, 10)).toEqual([]);
        expect(await store.listFlips(mon.id)).toEqual([]);
        expect(await store.listNotifications(mon.id)).toEqual([]);
        expect(await store.recordPing(mon.pingToken, pingData(at(9)), (x) => transition(x, 'ping', at(9)))).toBeNull();
      }
      expect(await store.findDueNotifications(at(10 ** 7), 10)).toEqual([]);
      expect(await store.getMonitor(other.id)).toEqual(other);
      expect(await store.createAccount(makeAccount({ email: 'leaving@company.com' }))).toBe('created');
    });

    test('deleting an unknown account reports false', async () => {
      expect(await store.deleteAccount('0'.repeat(20))).toBe(false);
    });

    test('a deleted account cannot create monitors', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      await store.deleteAccount(account.id);
      expect(await store.createMonitor(makeMonitor({ accountId: account.id }), null)).toBe('limit_reached');
    });
  });

  describe('monitors', () => {
    test('a created monitor reads back as it was written', async () => {
      const m = await withMonitor({ alertWebhook: 'https://hooks.example.com/a', webhookSecret: 'whsec_x', historyDays: null });
      expect(await store.getMonitor(m.id)).toEqual(m);
    });

    test('an unknown id reads as null', async () => {
      expect(await store.getMonitor('0123456789abcdef')).toBeNull();
    });

    test('creating counts the monitor against its account', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      await store.createMonitor(makeMonitor({ accountId: account.id }), 5);
      await store.createMonitor(makeMonitor({ accountId: account.id }), 5);
      expect((await store.findAccountByKeyHash(account.apiKeyHash))!.monitorCount).toBe(2);
    });

    test('the plan limit refuses the monitor past it and stores nothing', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      for (let i = 0; i < 2; i++) expect(await store.createMonitor(makeMonitor({ accountId: account.id }), 2)).toBe('created');
      const refused = makeMonitor({ accountId: account.id });
      expect(await store.createMonitor(refused, 2)).toBe('limit_reached');
      expect(await store.getMonitor(refused.id)).toBeNull();
      expect(await store.listMonitors(account.id)).toHaveLength(2);
    });

    test(`${together} creates never pass the plan limit`, async () => {
      const account = makeAccount();
      await store.createAccount(account);
      const results = await Promise.all(Array.from({ length: 12 }, () => store.createMonitor(makeMonitor({ accountId: account.id }), 5)));
      expect(results.filter((r) => r === 'created')).toHaveLength(5);
      expect(await store.listMonitors(account.id)).toHaveLength(5);
      expect((await store.findAccountByKeyHash(account.apiKeyHash))!.monitorCount).toBe(5);
    });

    test('monitors are listed newest first, and only the account’s own', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      const older = makeMonitor({ accountId: account.id, createdAt: at(0) });
      const newer = makeMonitor({ accountId: account.id, createdAt: at(60) });
      await store.createMonitor(older, null);
      await store.createMonitor(newer, null);
      await withMonitor();
      expect((await store.listMonitors(account.id)).map((m) => m.id)).toEqual([newer.id, older.id]);
    });

    test('deleting removes the monitor and its pings and frees its slot', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      const m = makeMonitor({ accountId: account.id });
      await store.createMonitor(m, 1);
      await store.recordPing(m.pingToken, pingData(at(1)), (mon) => transition(mon, 'ping', at(1)));
      expect(await store.deleteMonitor(m.id)).toBe(true);
      expect(await store.getMonitor(m.id)).toBeNull();
      expect(await store.listPings(m.id, 10)).toEqual([]);
      expect(await store.recordPing(m.pingToken, pingData(at(2)), (mon) => transition(mon, 'ping', at(2)))).toBeNull();
      expect(await store.createMonitor(makeMonitor({ accountId: account.id }), 1)).toBe('created');
    });

    test('deleting an unknown monitor reports false', async () => {
      expect(await store.deleteMonitor('0123456789abcdef')).toBe(false);
    });
  });

  describe('badges', () => {
    test('a monitor is found by its badge key, as it is, after pings', async () => {
      const m = await upMonitor();
      await withMonitor();
      const found = await store.findMonitorByBadgeKey(m.badgeKey as string);
      expect(found).toEqual(await store.getMonitor(m.id));
      expect(found?.status).toBe('up');
    });

    test('an unknown badge key, or a ping token used as one, finds nothing', async () => {
      const m = await withMonitor();
      expect(await store.findMonitorByBadgeKey('0123456789abcdef0123456789abcdef')).toBeNull();
      expect(await store.findMonitorByBadgeKey(m.pingToken)).toBeNull();
    });

    test('a deleted monitor no longer answers to its badge key', async () => {
      const m = await withMonitor();
      await store.deleteMonitor(m.id);
      expect(await store.findMonitorByBadgeKey(m.badgeKey as string)).toBeNull();
    });
  });

  describe('pings', () => {
    test('an unknown token records nothing', async () => {
      expect(await store.recordPing('unknown-token-000000000', pingData(at(0)), (m) => transition(m, 'ping', at(0)))).toBeNull();
    });

    test('a ping is stored with its details and an expiry from the history window', async () => {
      const m = await withMonitor({ historyDays: 7 });
      await store.recordPing(m.pingToken, pingData(at(5), { method: 'POST', body: 'rows=42', bodyTruncated: true }), (mon) => transition(mon, 'ping', at(5)));
      expect(await store.listPings(m.id, 10)).toEqual([
        {
          monitorId: m.id,
          at: at(5),
          method: 'POST',
          kind: 'success',
          exitCode: null,
          rid: null,
          duration: null,
          source: '203.0.113.9',
          userAgent: 'curl/8',
          body: 'rows=42',
          bodyTruncated: true,
          expiresAt: at(5 + 7 * 86_400),
        },
      ]);
    });

    test('pings of a monitor with unlimited history never expire', async () => {
      const m = await withMonitor({ historyDays: null });
      await store.recordPing(m.pingToken, pingData(at(5)), (mon) => transition(mon, 'ping', at(5)));
      expect((await store.listPings(m.id, 1))[0].expiresAt).toBeNull();
    });

    test('the first ping turns the monitor up, sets its deadline and records the flip', async () => {
      const m = await withMonitor();
      const applied = await store.recordPing(m.pingToken, pingData(at(5)), (mon) => transition(mon, 'ping', at(5)));
      expect(applied!.monitor).toMatchObject({ status: 'up', pingCount: 1, lastPingAt: at(5), alertAt: at(5 + m.schedule + m.grace) });
      expect(await store.getMonitor(m.id)).toEqual(applied!.monitor);
      expect(applied!.monitor.flipCount).toBe(1);
      expect(await store.listFlips(m.id)).toEqual([{ id: flipId(m.id, at(5), 'up', 1), monitorId: m.id, from: 'new', to: 'up', at: at(5), reason: 'ping' }]);
      expect(await store.listNotifications(m.id)).toEqual([]);
    });

    test(`${together} pings are all recorded and counted`, async () => {
      const m = await withMonitor();
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.recordPing(m.pingToken, pingData(at(i)), (mon) => transition(mon, 'ping', at(i)))),
      );
      expect((await store.getMonitor(m.id))!.pingCount).toBe(40);
      expect(await store.listPings(m.id, 100)).toHaveLength(40);
      expect((await store.listFlips(m.id)).filter((f) => f.to === 'up')).toHaveLength(1);
    });

    test('pings are listed newest first', async () => {
      const m = await withMonitor();
      for (const s of [1, 3, 2]) await store.recordPing(m.pingToken, pingData(at(s)), (mon) => transition(mon, 'ping', at(s)));
      expect((await store.listPings(m.id, 2)).map((p) => p.at)).toEqual([at(3), at(2)]);
    });

    test('expired pings are purged and the others kept', async () => {
      const m = await withMonitor({ historyDays: 1 });
      await store.recordPing(m.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0)));
      await store.recordPing(m.pingToken, pingData(at(3600)), (mon) => transition(mon, 'ping', at(3600)));
      expect(await store.purgeExpiredPings(at(86_400 + 60), 100)).toBe(1);
      expect((await store.listPings(m.id, 10)).map((p) => p.at)).toEqual([at(3600)]);
    });
  });

  describe('cron monitors and signals', () => {
    const signal = (kind: Signal['kind'], rid: string | null = null, exitCode: number | null = null, output: string | null = null): Signal => ({
      kind,
      exitCode,
      rid,
      output,
    });
    const send = (m: Monitor, s: Signal, when: Date, body: string | null = null) =>
      store.recordPing(m.pingToken, pingData(when, { kind: s.kind, exitCode: s.exitCode, rid: s.rid, body }), (mon) => transition(mon, s, when));

    test('a cron monitor reads back with its expression and zone', async () => {
      const m = await withMonitor({ schedule: 86_400, cron: '30 2 * * *', tz: 'Europe/Berlin', grace: 8_640 });
      expect(await store.getMonitor(m.id)).toEqual(m);
    });

    test('a cron monitor’s deadline is its next cron time plus grace', async () => {
      const m = await withMonitor({ schedule: 86_400, cron: '30 2 * * *', tz: 'Europe/Berlin', grace: 600 });
      // 28 March 2026 01:30 UTC is 02:30 CET; the next 02:30 falls into the skipped hour: 03:00 CEST.
      const pinged = new Date('2026-03-28T01:30:20.000Z');
      const applied = await store.recordPing(m.pingToken, pingData(pinged), (mon) => transition(mon, 'ping', pinged));
      expect(applied!.monitor.alertAt).toEqual(new Date('2026-03-29T01:10:00.000Z'));
      expect((await store.getMonitor(m.id))!.alertAt).toEqual(new Date('2026-03-29T01:10:00.000Z'));
    });

    test('a start is stored as an open run with its start time, and arms start + grace', async () => {
      const m = await upMonitor();
      await send(m, signal('start', 'run-1'), at(100));
      const stored = (await store.getMonitor(m.id))!;
      expect(stored).toMatchObject({ status: 'up', lastStartAt: at(100), alertAt: at(100 + m.grace), openRuns: [{ rid: 'run-1', at: at(100) }] });
      expect(await store.listFlips(m.id)).toHaveLength(1);
    });

    test('the end of a run stores its duration on the ping and the monitor, and closes the run', async () => {
      const m = await upMonitor();
      await send(m, signal('start', 'r'), at(100));
      const end = new Date(at(100).getTime() + 12_345);
      await send(m, signal('success', 'r', 0), end);
      expect((await store.getMonitor(m.id))!).toMatchObject({ lastDuration: 12_345, openRuns: [] });
      const [last, first] = await store.listPings(m.id, 2);
      expect(last).toMatchObject({ kind: 'success', exitCode: 0, rid: 'r', duration: 12_345 });
      expect(first).toMatchObject({ kind: 'start', exitCode: null, rid: 'r', duration: null });
    });

    test('a failure flips down with its reason and puts the output tail in the alert', async () => {
      const m = await upMonitor({ alertWebhook: 'https://hooks.example.com/a' });
      const applied = await send(m, signal('fail', null, 3, 'error: disk full'), at(50), 'copying...\nerror: disk full\n');
      expect(applied!.monitor.status).toBe('down');
      expect((await store.listFlips(m.id)).map((f) => f.reason)).toEqual(['ping', 'exit code 3']);
      const rows = await store.listNotifications(m.id);
      expect(rows.map((n) => [n.channel, n.event, n.snapshot.reason, n.snapshot.output])).toEqual([
        ['email', 'monitor.down', 'exit code 3', 'error: disk full'],
        ['webhook', 'monitor.down', 'exit code 3', 'error: disk full'],
      ]);
      expect((await store.listPings(m.id, 1))[0]).toMatchObject({ kind: 'fail', exitCode: 3, body: 'copying...\nerror: disk full\n' });
    });

    test('a run that never finished is found due at start + grace and flips with that reason', async () => {
      const m = await upMonitor();
      await send(m, signal('start'), at(100));
      expect(await store.findDueMonitors(at(100 + m.grace - 1), 10)).toEqual([]);
      expect(await store.findDueMonitors(at(100 + m.grace), 10)).toEqual([m.id]);
      const applied = await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', at(100 + m.grace)));
      expect(applied!.transition!.flip).toMatchObject({ to: 'down', reason: 'started but never finished' });
      expect((await store.getMonitor(m.id))!.openRuns).toEqual([]);
    });

    test('a sweep racing a start: whichever commits first, the run is not reported missed', async () => {
      const m = await upMonitor();
      const deadline = m.alertAt!;
      const late = new Date(deadline.getTime() + 1_000);
      // The sweep saw the monitor due; a start lands before its transaction re-reads the monitor.
      expect(await store.findDueMonitors(late, 10)).toEqual([m.id]);
      const [started, swept] = await Promise.all([
        send(m, signal('start'), late),
        store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', late)),
      ]);
      const flips = await store.listFlips(m.id);
      if (swept!.transition === null) {
        // The start won: the run has its grace, nothing flipped.
        expect(flips.map((f) => f.reason)).toEqual(['ping']);
        expect((await store.getMonitor(m.id))!).toMatchObject({ status: 'up', alertAt: new Date(late.getTime() + m.grace * 1000) });
      } else {
        // The sweep won: the deadline had passed with no run; the start then leaves it down, unarmed.
        expect(flips.map((f) => f.reason)).toEqual(['ping', 'missed']);
        expect(started!.monitor).toMatchObject({ status: 'down', alertAt: null });
      }
      expect((await store.getMonitor(m.id))!.lastStartAt).toEqual(late);
    });

    test('concurrent starts with different rids all stay open', async () => {
      const m = await upMonitor();
      await Promise.all(Array.from({ length: 8 }, (_, i) => send(m, signal('start', `r${i}`), at(10 + i))));
      const stored = (await store.getMonitor(m.id))!;
      expect(stored.openRuns.map((r) => r.rid).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
      expect(stored.pingCount).toBe(9);
    });
  });

  describe('transitions and the outbox', () => {
    test('only monitors whose deadline has passed are due, earliest first', async () => {
      const a = await upMonitor({ schedule: 60, grace: 60 });
      const b = await upMonitor({ schedule: 60, grace: 50 });
      await upMonitor({ schedule: 3600, grace: 60 });
      await withMonitor();
      expect(await store.findDueMonitors(at(109), 10)).toEqual([]);
      expect(await store.findDueMonitors(at(120), 10)).toEqual([b.id, a.id]);
      expect(await store.findDueMonitors(at(120), 1)).toEqual([b.id]);
    });

    test('a missed deadline flips the monitor down with one notification per channel', async () => {
      const m = await upMonitor({ alertWebhook: 'https://hooks.example.com/a', webhookSecret: 'whsec_x' });
      const due = m.alertAt!;
      const applied = await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', due));
      expect(applied!.monitor).toMatchObject({ status: 'down', alertAt: null, lastAlertAt: due });
      expect(await store.getMonitor(m.id)).toEqual(applied!.monitor);
      const rows = await store.listNotifications(m.id);
      expect(rows.map((n) => [n.channel, n.event, n.state, n.attempts])).toEqual([
        ['email', 'monitor.down', 'pending', 0],
        ['webhook', 'monitor.down', 'pending', 0],
      ]);
      expect(rows[0].snapshot).toEqual({
        monitorId: m.id,
        name: m.name,
        schedule: m.schedule,
        grace: m.grace,
        lastPingAt: at(0),
        outageId: `${m.id}_${due.getTime()}_down`,
        cron: null, tz: null, reason: 'missed', output: null,
      });
      expect(await store.findDueMonitors(due, 10)).toEqual([]);
    });

    test('the adapter writes the outbox rows and ping expiry the transition carries, and decides none itself', async () => {
      const m = await upMonitor({ alertWebhook: 'https://hooks.example.com/a', webhookSecret: 'whsec_x' });
      const due = m.alertAt!;
      await store.updateMonitor(m.id, (mon) => {
        const t = transition(mon, 'deadline', due)!;
        return { ...t, notifications: t.notifications.filter((n) => n.channel === 'webhook') };
      });
      expect((await store.listNotifications(m.id)).map((n) => n.channel)).toEqual(['webhook']);
      const expiresAt = at(123);
      await store.recordPing(m.pingToken, pingData(at(100)), (mon) => ({ ...transition(mon, 'ping', at(100)), ping: { expiresAt, duration: null } }));
      expect((await store.listPings(m.id, 1))[0].expiresAt).toEqual(expiresAt);
    });

    test('a decision of "no change" writes nothing', async () => {
      const m = await upMonitor();
      const applied = await store.updateMonitor(m.id, () => null);
      expect(applied).toEqual({ monitor: m, transition: null });
      expect(await store.getMonitor(m.id)).toEqual(m);
    });

    test('updating an unknown monitor reports null', async () => {
      expect(await store.updateMonitor('0123456789abcdef', (mon) => transition(mon, 'pause', t0))).toBeNull();
    });

    test(`${together} deadline checks flip the monitor once`, async () => {
      const m = await upMonitor();
      const due = m.alertAt!;
      const results = await Promise.all(Array.from({ length: 5 }, () => store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', due))));
      expect(results.filter((r) => r?.transition !== null)).toHaveLength(1);
      expect((await store.listFlips(m.id)).map((f) => f.to)).toEqual(['up', 'down']);
      expect(await store.listNotifications(m.id)).toHaveLength(1);
    });

    test('postponing moves a due monitor forward, never back, and leaves a monitor without a deadline alone', async () => {
      const m = await upMonitor();
      const due = m.alertAt!;
      await store.postponeMonitor(m.id, new Date(due.getTime() + 300_000));
      expect(await store.findDueMonitors(due, 10)).toEqual([]);
      expect((await store.getMonitor(m.id))!.alertAt).toEqual(new Date(due.getTime() + 300_000));
      await store.postponeMonitor(m.id, due);
      expect((await store.getMonitor(m.id))!.alertAt).toEqual(new Date(due.getTime() + 300_000));
      const fresh = await withMonitor();
      await store.postponeMonitor(fresh.id, due);
      expect((await store.getMonitor(fresh.id))!.alertAt).toBeNull();
      await store.postponeMonitor('0123456789abcdef', due);
    });

    test('a ping after an outage records the recovery and its notification', async () => {
      const m = await upMonitor();
      await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', m.alertAt!));
      const back = at(10_000);
      const applied = await store.recordPing(m.pingToken, pingData(back), (mon) => transition(mon, 'ping', back));
      expect(applied!.monitor.status).toBe('up');
      expect((await store.listNotifications(m.id)).map((n) => n.event)).toEqual(['monitor.down', 'monitor.up']);
    });
  });

  describe('editing settings', () => {
    test('an edit writes the fields it returns, and the monitor reads back edited', async () => {
      const m = await withMonitor({ alertWebhook: 'https://hooks.example.com/a', webhookSecret: 'whsec_a' });
      const edited = await store.editMonitor(m.id, () => ({
        name: 'Renamed', schedule: 600, grace: 90, alertEmail: null, alertWebhook: null, webhookSecret: null, alertAt: at(50),
      }));
      const expected = { ...m, name: 'Renamed', schedule: 600, grace: 90, alertEmail: null, alertWebhook: null, webhookSecret: null, alertAt: at(50) };
      expect(edited).toEqual(expected);
      expect(await store.getMonitor(m.id)).toEqual(expected);
      expect(await store.findDueMonitors(at(50), 10)).toEqual([m.id]);
    });

    test('an edit sees the monitor as stored and leaves status and counters alone', async () => {
      const m = await withMonitor();
      await store.recordPing(m.pingToken, pingData(at(1)), (mon) => transition(mon, 'ping', at(1)));
      let seen: Monitor | null = null;
      await store.editMonitor(m.id, (mon) => {
        seen = mon;
        return { name: 'x' };
      });
      expect(seen).toMatchObject({ status: 'up', pingCount: 1 });
      expect(await store.getMonitor(m.id)).toMatchObject({ name: 'x', status: 'up', pingCount: 1, lastPingAt: at(1) });
      expect(await store.listFlips(m.id)).toHaveLength(1);
    });

    test('editing an unknown monitor reports null', async () => {
      expect(await store.editMonitor('0123456789abcdef', () => ({ name: 'x' }))).toBeNull();
    });

    test('edits racing pings lose neither the edit nor any ping', async () => {
      const m = await withMonitor();
      await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => store.recordPing(m.pingToken, pingData(at(i)), (mon) => transition(mon, 'ping', at(i)))),
        ...Array.from({ length: 5 }, (_, i) => store.editMonitor(m.id, () => ({ name: `edit ${i}` }))),
      ]);
      const after = (await store.getMonitor(m.id))!;
      expect(after.pingCount).toBe(20);
      expect(after.name).toMatch(/^edit \d$/);
    });
  });

  describe('pause', () => {
    test('manualResume is kept with the pause and cleared by the resume', async () => {
      const m = await withMonitor();
      await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(1), { manualResume: true }));
      expect(await store.getMonitor(m.id)).toMatchObject({ status: 'paused', manualResume: true });
      await store.recordPing(m.pingToken, pingData(at(2)), (mon) => transition(mon, 'ping', at(2)));
      expect(await store.getMonitor(m.id)).toMatchObject({ status: 'paused', manualResume: true, pingCount: 1, alertAt: null });
      await store.updateMonitor(m.id, (mon) => transition(mon, 'resume', at(3)));
      expect(await store.getMonitor(m.id)).toMatchObject({ status: 'up', manualResume: false });
    });

    test('a ping ends a plain pause with a flip', async () => {
      const m = await withMonitor();
      await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(1)));
      const applied = await store.recordPing(m.pingToken, pingData(at(2)), (mon) => transition(mon, 'ping', at(2)));
      expect(applied!.monitor).toMatchObject({ status: 'up', alertAt: at(2 + m.schedule + m.grace) });
      expect(await store.getMonitor(m.id)).toEqual(applied!.monitor);
      expect((await store.listFlips(m.id)).map((f) => [f.from, f.to, f.reason])).toEqual([
        ['new', 'paused', 'pause'],
        ['paused', 'up', 'ping'],
      ]);
    });
  });

  describe('flips within one millisecond', () => {
    test('the same status reached twice in one millisecond gets a flip each, with distinct ids, paged in order', async () => {
      const m = await withMonitor();
      const now = at(7);
      const fail: Signal = { kind: 'fail', exitCode: null, rid: null, output: null };
      await store.recordPing(m.pingToken, pingData(now), (mon) => transition(mon, 'ping', now));
      for (let i = 0; i < 2; i++) {
        await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', now));
        await store.updateMonitor(m.id, (mon) => transition(mon, 'resume', now));
      }
      for (let i = 0; i < 2; i++) {
        await store.recordPing(m.pingToken, pingData(now, { kind: 'fail' }), (mon) => transition(mon, fail, now));
        await store.recordPing(m.pingToken, pingData(now), (mon) => transition(mon, 'ping', now));
      }
      const flips = await store.listFlips(m.id);
      const path = ['new>up', 'up>paused', 'paused>up', 'up>paused', 'paused>up', 'up>down', 'down>up', 'up>down', 'down>up'];
      expect(flips.map((f) => `${f.from}>${f.to}`)).toEqual(path);
      expect(new Set(flips.map((f) => f.id)).size).toBe(path.length);
      expect((await store.getMonitor(m.id))!.flipCount).toBe(path.length);
      const seen: string[] = [];
      let before: PageKey | null = null;
      for (;;) {
        const page: Page<{ id: string; from: string; to: string }> = await store.flipHistory(m.id, { limit: 2, before, since: null });
        seen.push(...page.items.map((f) => `${f.from}>${f.to}`));
        if (page.next === null) break;
        before = page.next;
      }
      expect(seen).toEqual([...path].reverse());
      // Each outage alerts and recovers once: four rows, none lost to a clashing id.
      const rows = await store.listNotifications(m.id);
      expect(rows.map((n) => n.event).sort()).toEqual(['monitor.down', 'monitor.down', 'monitor.up', 'monitor.up']);
      expect(new Set(rows.map((n) => n.id)).size).toBe(4);
    });
  });

  describe('resume', () => {
    test('a resume is stored with the monitor, and the deadline counts from it', async () => {
      const m = await upMonitor({ schedule: 3600, grace: 360 });
      await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(1)));
      const resumed = (await store.updateMonitor(m.id, (mon) => transition(mon, 'resume', at(86_400))))!.monitor;
      expect(resumed).toMatchObject({ status: 'up', resumedAt: at(86_400), lastPingAt: at(0), alertAt: at(86_400 + 3600 + 360) });
      expect(await store.getMonitor(m.id)).toEqual(resumed);
    });
  });

  describe('history pages', () => {
    async function allPages<T>(read: (before: PageKey | null) => Promise<Page<T>>): Promise<T[][]> {
      const pages: T[][] = [];
      let before: PageKey | null = null;
      for (;;) {
        const page: Page<T> = await read(before);
        pages.push(page.items);
        if (page.next === null) return pages;
        before = page.next;
      }
    }

    test('pings come newest first, a page at a time, each exactly once', async () => {
      const m = await withMonitor();
      // Two pings share each instant: the sequence keeps them apart.
      for (let i = 0; i < 7; i++) await store.recordPing(m.pingToken, pingData(at(Math.floor(i / 2)), { body: `#${i}` }), (mon) => transition(mon, 'ping', at(Math.floor(i / 2))));
      const pages = await allPages((before) => store.pingHistory(m.id, { limit: 3, before, since: null }));
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat().map((p) => p.body)).toEqual(['#6', '#5', '#4', '#3', '#2', '#1', '#0']);
    });

    test('a last page that is exactly full says so', async () => {
      const m = await withMonitor();
      for (let i = 0; i < 4; i++) await store.recordPing(m.pingToken, pingData(at(i)), (mon) => transition(mon, 'ping', at(i)));
      const first = await store.pingHistory(m.id, { limit: 2, before: null, since: null });
      const second = await store.pingHistory(m.id, { limit: 2, before: first.next, since: null });
      expect(second.items).toHaveLength(2);
      expect(second.next).toBeNull();
    });

    test('since leaves out older pings', async () => {
      const m = await withMonitor();
      for (const s of [0, 10, 20]) await store.recordPing(m.pingToken, pingData(at(s)), (mon) => transition(mon, 'ping', at(s)));
      const page = await store.pingHistory(m.id, { limit: 10, before: null, since: at(10) });
      expect(page.items.map((p) => p.at)).toEqual([at(20), at(10)]);
    });

    test('only the monitor’s own pings', async () => {
      const a = await withMonitor();
      const b = await withMonitor();
      await store.recordPing(a.pingToken, pingData(at(1)), (mon) => transition(mon, 'ping', at(1)));
      await store.recordPing(b.pingToken, pingData(at(2)), (mon) => transition(mon, 'ping', at(2)));
      expect((await store.pingHistory(a.id, { limit: 10, before: null, since: null })).items.map((p) => p.monitorId)).toEqual([a.id]);
    });

    test('paging while pings keep arriving returns every earlier ping exactly once', async () => {
      const m = await withMonitor();
      for (let i = 0; i < 30; i++) await store.recordPing(m.pingToken, pingData(at(i), { body: `old ${i}` }), (mon) => transition(mon, 'ping', at(i)));
      let arriving = true;
      let n = 0;
      const writer = (async () => {
        while (arriving) {
          const when = at(100 + n);
          await store.recordPing(m.pingToken, pingData(when, { body: `new ${n++}` }), (mon) => transition(mon, 'ping', when));
          // SQLite answers synchronously: let the reader's timers run between writes.
          await new Promise((r) => setImmediate(r));
        }
      })();
      const pages = await allPages(async (before) => {
        const page = await store.pingHistory(m.id, { limit: 4, before, since: null });
        await new Promise((r) => setTimeout(r, 5));
        return page;
      });
      arriving = false;
      await writer;
      const bodies = pages.flat().map((p) => p.body as string);
      expect(n).toBeGreaterThan(0);
      expect(new Set(bodies).size).toBe(bodies.length);
      expect(bodies.filter((b) => b.startsWith('old'))).toEqual(Array.from({ length: 30 }, (_, i) => `old ${29 - i}`));
    });

    test('flips come newest first, a page at a time', async () => {
      const m = await withMonitor();
      await store.recordPing(m.pingToken, pingData(at(1)), (mon) => transition(mon, 'ping', at(1)));
      await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(2)));
      await store.updateMonitor(m.id, (mon) => transition(mon, 'resume', at(2)));
      await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(3)));
      const pages = await allPages((before) => store.flipHistory(m.id, { limit: 3, before, since: null }));
      expect(pages.map((p) => p.map((f) => `${f.from}>${f.to}`))).toEqual([['up>paused', 'paused>up', 'up>paused'], ['new>up']]);
    });
  });

  describe('notification delivery', () => {
    async function pendingNotification() {
      const m = await withMonitor();
      await store.recordPing(m.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0)));
      const due = at(m.schedule + m.grace);
      await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', due));
      const [n] = await store.listNotifications(m.id);
      return { n, due };
    }

    test('a pending notification is due from its creation', async () => {
      const { n, due } = await pendingNotification();
      expect((await store.findDueNotifications(due, 10)).map((x) => x.id)).toEqual([n.id]);
      expect(await store.findDueNotifications(at(-1), 10)).toEqual([]);
    });

    test('a claim counts the attempt and holds a lease', async () => {
      const { n, due } = await pendingNotification();
      const lease = at(999_999);
      const claimed = await store.claimNotification(n.id, due, lease);
      expect(claimed).toMatchObject({ id: n.id, state: 'processing', attempts: 1, nextAttemptAt: lease });
      expect(await store.findDueNotifications(due, 10)).toEqual([]);
    });

    test(`only one of several ${together} claims wins`, async () => {
      const { n, due } = await pendingNotification();
      const claims = await Promise.all([1, 2, 3].map(() => store.claimNotification(n.id, due, at(999_999))));
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
    });

    test('a lapsed lease can be claimed again, and the stale claimer cannot record', async () => {
      const { n, due } = await pendingNotification();
      const lease = new Date(due.getTime() + 60_000);
      await store.claimNotification(n.id, due, lease);
      expect(await store.claimNotification(n.id, new Date(lease.getTime() - 1), at(999_999))).toBeNull();
      const second = await store.claimNotification(n.id, lease, at(999_999));
      expect(second!.attempts).toBe(2);
      const record = { state: 'delivered' as const, nextAttemptAt: null, lastError: null, deliveredAt: lease };
      expect(await store.recordDelivery(n.id, 1, record)).toBe(false);
      expect(await store.recordDelivery(n.id, 2, record)).toBe(true);
      expect(await store.getNotification(n.id)).toMatchObject({ state: 'delivered', nextAttemptAt: null, deliveredAt: lease, attempts: 2 });
    });

    test('a retry is recorded with its error and becomes due again later', async () => {
      const { n, due } = await pendingNotification();
      await store.claimNotification(n.id, due, at(999_999));
      const retryAt = new Date(due.getTime() + 30_000);
      await store.recordDelivery(n.id, 1, { state: 'pending', nextAttemptAt: retryAt, lastError: 'webhook answered 500', deliveredAt: null });
      expect(await store.getNotification(n.id)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'webhook answered 500' });
      expect(await store.findDueNotifications(due, 10)).toEqual([]);
      expect((await store.findDueNotifications(retryAt, 10)).map((x) => x.id)).toEqual([n.id]);
    });

    test('postponing moves a due notification forward with the reason, and leaves a final one alone', async () => {
      const { n, due } = await pendingNotification();
      const later = new Date(due.getTime() + 60_000);
      await store.postponeNotification(n.id, later, 'delivery step failed: boom');
      expect(await store.findDueNotifications(due, 10)).toEqual([]);
      expect(await store.getNotification(n.id)).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: later, lastError: 'delivery step failed: boom' });
      await store.claimNotification(n.id, later, at(999_999));
      await store.recordDelivery(n.id, 1, { state: 'delivered', nextAttemptAt: null, lastError: null, deliveredAt: later });
      await store.postponeNotification(n.id, at(10 ** 6), 'late');
      expect(await store.getNotification(n.id)).toMatchObject({ state: 'delivered', nextAttemptAt: null, lastError: null });
    });

    test('a final state is never due again', async () => {
      const { n, due } = await pendingNotification();
      await store.claimNotification(n.id, due, at(999_999));
      await store.recordDelivery(n.id, 1, { state: 'failed', nextAttemptAt: null, lastError: 'webhook answered 404', deliveredAt: null });
      expect(await store.findDueNotifications(at(10 ** 9), 10)).toEqual([]);
      expect(await store.claimNotification(n.id, at(10 ** 9), at(10 ** 9 + 60))).toBeNull();
    });
  });

  describe('plans and Pro channels', () => {
    test('an account is found by its id', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      expect(await store.getAccount(account.id)).toEqual(account);
      expect(await store.getAccount('0'.repeat(20))).toBeNull();
    });

    test('a plan change is kept and returned, and touches nothing else', async () => {
      const account = makeAccount({ plan: 'free' });
      await store.createAccount(account);
      const m = await store.createMonitor(makeMonitor({ accountId: account.id }), 5);
      expect(m).toBe('created');
      expect(await store.setAccountPlan(account.id, 'pro')).toEqual({ ...account, plan: 'pro', monitorCount: 1 });
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toEqual({ ...account, plan: 'pro', monitorCount: 1 });
      expect(await store.setAccountPlan(account.id, 'free')).toMatchObject({ plan: 'free', monitorCount: 1 });
    });

    test('a plan change for an unknown account changes nothing', async () => {
      expect(await store.setAccountPlan('0'.repeat(20), 'pro')).toBeNull();
      expect(await store.getAccount('0'.repeat(20))).toBeNull();
    });

    test('Slack and PagerDuty targets read back as written', async () => {
      const m = await withMonitor({ alertSlack: 'https://hooks.slack.com/services/T0/B0/abc', alertPagerDuty: 'a'.repeat(32) });
      expect(await store.getMonitor(m.id)).toEqual(m);
    });

    test('an outage notifies every channel once, and the recovery names the outage it ends', async () => {
      const account = makeAccount({ plan: 'pro' });
      await store.createAccount(account);
      const m = makeMonitor({
        accountId: account.id,
        alertWebhook: 'https://example.com/hook',
        webhookSecret: 'whsec_x',
        alertSlack: 'https://hooks.slack.com/services/T0/B0/abc',
        alertPagerDuty: 'b'.repeat(32),
      });
      await store.createMonitor(m, null);
      await store.recordPing(m.pingToken, pingData(t0), (mon) => transition(mon, 'ping', t0));
      const due = at(m.schedule + m.grace);
      const down = await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', due));
      // A second checker deciding the same deadline finds nothing left to do.
      expect((await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', due)))!.transition).toBeNull();
      const back = at(m.schedule + m.grace + 300);
      await store.recordPing(m.pingToken, pingData(back), (mon) => transition(mon, 'ping', back));
      const rows = await store.listNotifications(m.id);
      // Rows of one flip share its time; their order among themselves is not part of the contract.
      expect(rows.map((n) => [n.event, n.channel, n.target]).sort()).toEqual([
        ['monitor.down', 'email', m.alertEmail],
        ['monitor.down', 'pagerduty', m.alertPagerDuty],
        ['monitor.down', 'slack', m.alertSlack],
        ['monitor.down', 'webhook', m.alertWebhook],
        ['monitor.up', 'email', m.alertEmail],
        ['monitor.up', 'pagerduty', m.alertPagerDuty],
        ['monitor.up', 'slack', m.alertSlack],
        ['monitor.up', 'webhook', m.alertWebhook],
      ]);
      expect(new Set(rows.map((n) => n.snapshot.outageId))).toEqual(new Set([`${m.id}_${down!.transition!.flip!.at.getTime()}_down`]));
    });
  });
});
