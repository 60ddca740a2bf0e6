import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { runAdmin, type Output } from '../../src/admin';
import { CHANNEL_KINDS, channelSpec, planAllows, type Channel } from '../../src/domain/channels';
import { AppError } from '../../src/domain/errors';
import { createAccount } from '../../src/services/accounts';
import { createMonitor } from '../../src/services/monitors';
import { openFirestoreStore } from '../../src/store/firestore';
import type { Store } from '../../src/store/port';
import { SqliteStore } from '../../src/store/sqlite';
import { testDeps } from '../support/deps';
import { clearProject } from '../support/emulator';
import { emulatorProjectId, firestoreMissing, storeKinds } from '../support/stores';

/** Channel names as the command prints them; which kinds each plan has is pinned in test/domain/channels.test.ts. */
const labelsOf = (kinds: Channel[]): string => kinds.map((c) => channelSpec(c).label).join(', ');

function capture(): Output & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

describe.each(storeKinds())('admin commands on %s', (_name, kind) => {
  let store: Store;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  /** Dependencies around the store, which now holds an account with this e-mail on the free plan. */
  async function depsWithAccount(email: string) {
    const deps = testDeps(store);
    await createAccount(deps, { email });
    return deps;
  }

  test('set-plan moves an account to Pro and prints what changed', async () => {
    const deps = await depsWithAccount('ops@example.com');
    const io = capture();
    expect(await runAdmin(['set-plan', ' OPS@example.com ', 'pro'], deps, io)).toBe(0);
    expect(io.errors).toEqual([]);
    expect(io.lines[0]).toMatch(/^ops@example\.com: plan free -> pro \(account [0-9a-f]+\)$/);
    expect(io.lines).toContain('  monitors: 0 kept; limit 5 -> unlimited');
    expect((await store.findAccountByEmail('ops@example.com'))!.plan).toBe('pro');
  });

  test('set-plan to the plan the account already has changes nothing and says so', async () => {
    const deps = await depsWithAccount('ops@example.com');
    const io = capture();
    expect(await runAdmin(['set-plan', 'ops@example.com', 'free'], deps, io)).toBe(0);
    expect(io.lines).toEqual(['ops@example.com: already on free; nothing changed']);
  });

  test('an unknown e-mail exits non-zero with one clear line and changes nothing', async () => {
    const deps = await depsWithAccount('ops@example.com');
    const io = capture();
    expect(await runAdmin(['set-plan', 'nobody@example.com', 'pro'], deps, io)).toBe(1);
    expect(io.errors).toEqual(['cronpeek admin: no account has the e-mail nobody@example.com']);
    expect(io.lines).toEqual([]);
    expect((await store.findAccountByEmail('ops@example.com'))!.plan).toBe('free');
    expect(await runAdmin(['show', 'nobody@example.com'], deps, capture())).toBe(1);
  });

  test('an unknown plan or a malformed command prints the usage and exits 2', async () => {
    const deps = await depsWithAccount('ops@example.com');
    const io = capture();
    expect(await runAdmin(['set-plan', 'ops@example.com', 'enterprise'], deps, io)).toBe(2);
    expect(io.errors).toEqual(['cronpeek admin: the plan must be "free" or "pro" (got "enterprise")']);
    expect(await runAdmin(['set-plan', 'ops@example.com'], deps, io)).toBe(2);
    expect(await runAdmin(['delete-everything'], deps, io)).toBe(2);
    expect(io.errors.at(-1)).toContain('usage: npm run admin -- set-plan <email> <free|pro>');
    expect((await store.findAccountByEmail('ops@example.com'))!.plan).toBe('free');
  });

  test('show prints plan, usage and monitors', async () => {
    const deps = await depsWithAccount('ops@example.com');
    await runAdmin(['set-plan', 'ops@example.com', 'pro'], deps, capture());
    const account = (await store.findAccountByEmail('ops@example.com'))!;
    const m = await createMonitor(deps, account, { name: 'Nightly DB Backup', schedule: 3600, alertPagerDuty: 'a'.repeat(32) });
    const io = capture();
    expect(await runAdmin(['show', 'ops@example.com'], deps, io)).toBe(0);
    const text = io.lines.join('\n');
    expect(text).toContain(`account:  ops@example.com (id ${account.id})`);
    expect(text).toContain(`plan:     pro (monitors unlimited, history unlimited, channels: ${labelsOf(CHANNEL_KINDS)})`);
    expect(text).toContain('usage:    1 of unlimited monitors, 0 pings received');
    expect(text).toContain(`  ${m.id}  new     Nightly DB Backup`);
    expect(text).toContain('alerts: E-mail, PagerDuty');
  });

  test('a downgrade keeps the monitors, and new ones obey the free limit', async () => {
    const deps = await depsWithAccount('ops@example.com');
    await runAdmin(['set-plan', 'ops@example.com', 'pro'], deps, capture());
    let account = (await store.findAccountByEmail('ops@example.com'))!;
    for (let i = 0; i < 6; i++) await createMonitor(deps, account, { name: `job ${i}`, schedule: 3600, alertSlack: 'https://hooks.slack.com/services/T0/B0/x' });
    const io = capture();
    expect(await runAdmin(['set-plan', 'ops@example.com', 'free'], deps, io)).toBe(0);
    expect(io.lines).toEqual([
      `ops@example.com: plan pro -> free (account ${account.id})`,
      '  monitors: 6 kept; limit unlimited -> 5',
      `  ${labelsOf(CHANNEL_KINDS.filter((c) => !planAllows('free', c)))} alerts stop: they are recorded as not sent; e-mail alerts continue`,
      '  new monitors are refused while the account holds 5 or more',
    ]);
    expect(await store.listMonitors(account.id)).toHaveLength(6);
    account = (await store.findAccountByEmail('ops@example.com'))!;
    await expect(createMonitor(deps, account, { name: 'seven', schedule: 3600 })).rejects.toThrow(AppError);
    await expect(createMonitor(deps, account, { name: 'seven', schedule: 3600 })).rejects.toThrow(/Monitor limit reached \(5\)/);
    await expect(createMonitor(deps, account, { name: 'x', schedule: 3600, alertSlack: 'https://hooks.slack.com/services/T0/B0/x' })).rejects.toThrow(/Slack alerts need the Pro plan/);
  });
});

/** The command as an operator runs it: its own process, configured only by the environment. */
describe('the admin command as a process', () => {
  const run = promisify(execFile);
  const TSX = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const ADMIN = path.join(__dirname, '..', '..', 'src', 'admin.ts');
  const admin = (env: Record<string, string>, ...args: string[]) =>
    // No metadata server off Google Cloud: without this the Firestore client sometimes probes for
    // one and warns on stderr, depending on what the network answers.
    run(TSX, [ADMIN, ...args], { env: { PATH: process.env.PATH ?? '', METADATA_SERVER_DETECTION: 'none', ...env } }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  test('works on the SQLite file npm start uses (CRONPEEK_DB)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-admin-'));
    try {
      const file = path.join(dir, 'cronpeek.db');
      const store = new SqliteStore(file);
      await createAccount(testDeps(store), { email: 'ops@example.com' });
      await store.close();

      const changed = await admin({ CRONPEEK_DB: file }, 'set-plan', 'ops@example.com', 'pro');
      expect(changed).toMatchObject({ code: 0, stderr: '' });
      expect(changed.stdout).toMatch(/^ops@example\.com: plan free -> pro/);
      const unknown = await admin({ CRONPEEK_DB: file }, 'show', 'nobody@example.com');
      expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'cronpeek admin: no account has the e-mail nobody@example.com\n' });

      const reopened = new SqliteStore(file);
      expect((await reopened.findAccountByEmail('ops@example.com'))!.plan).toBe('pro');
      await reopened.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const firestoreTest = firestoreMissing() === null ? test : test.skip;
  firestoreTest('works on Firestore with CRONPEEK_STORE=firestore and the emulator', async () => {
    const host = process.env.FIRESTORE_EMULATOR_HOST as string;
    const projectId = emulatorProjectId();
    const store = openFirestoreStore({ projectId });
    try {
      await createAccount(testDeps(store), { email: 'ops@example.com' });
      // Off Google Cloud nothing answers for the metadata server; probing it can warn on stderr.
      const env = { CRONPEEK_STORE: 'firestore', FIRESTORE_EMULATOR_HOST: host, GCLOUD_PROJECT: projectId, METADATA_SERVER_DETECTION: 'none' };
      const changed = await admin(env, 'set-plan', 'ops@example.com', 'pro');
      expect(changed).toMatchObject({ code: 0, stderr: '' });
      expect((await store.findAccountByEmail('ops@example.com'))!.plan).toBe('pro');
      const shown = await admin(env, 'show', 'ops@example.com');
      expect(shown.stdout).toContain('plan:     pro');
    } finally {
      await store.close();
      await clearProject(host, projectId);
    }
  });
});
