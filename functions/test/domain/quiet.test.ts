import { AppError, ErrorCode } from '../../src/domain/errors';
import type { MaintenanceWindow } from '../../src/domain/maintenance';
import {
  afterQuiet,
  downFate,
  heldForOf,
  heldNote,
  owedAfterQuiet,
  type HeldFor,
  type LoggedAlert,
  checkDependsOn,
  decideAlert,
  dependencyProblem,
  parentsFirst,
  parentsOnCycle,
  quietEnd,
  quietState,
  releasedChildren,
  rememberAlert,
  snoozeEnd,
  suppressor,
  type AlertDecision,
  type AlertMemory,
  type ParentState,
  type QuietMonitor,
} from '../../src/domain/quiet';
import type { AlertEvent, MonitorStatus } from '../../src/domain/types';

// Fake clock: every instant is passed in; the domain never reads the clock.
const at = (iso: string) => new Date(iso);
const T0 = '2026-03-01T10:00:00.000Z';

function makeWindow(overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return {
    id: 'w1', accountId: 'a1', name: 'Deploy', monitors: '*', schedule: null, tz: null, duration: null,
    start: at('2026-03-01T10:00:00Z'), end: at('2026-03-01T11:00:00Z'), createdAt: at('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

function makeMonitor(overrides: Partial<QuietMonitor> = {}): QuietMonitor {
  return { id: 'child', status: 'up', snoozedUntil: null, dependsOn: [], downSuppressed: false, ...overrides };
}

function makeParent(overrides: Partial<ParentState> = {}): ParentState {
  return { id: 'host', name: 'web-1 host', status: 'up', quietUntil: null, ...overrides };
}

interface Ask {
  monitor?: Partial<QuietMonitor>;
  event?: AlertEvent;
  windows?: MaintenanceWindow[];
  parents?: ParentState[];
  now?: string;
}

const decide = (ask: Ask = {}): AlertDecision =>
  decideAlert({
    monitor: makeMonitor(ask.monitor),
    event: ask.event ?? 'monitor.down',
    windows: ask.windows ?? [],
    parents: ask.parents ?? [],
    now: at(ask.now ?? T0),
  });

describe('decideAlert', () => {
  test('sends when nothing makes it quiet', () => {
    expect(decide()).toEqual({ action: 'send' });
  });

  test('holds every monitor alert during a covering window, until it ends', () => {
    const windows = [makeWindow()];
    for (const event of ['monitor.down', 'monitor.up', 'monitor.flapping', 'monitor.settled', 'monitor.still_down'] as const) {
      expect(decide({ event, windows, now: '2026-03-01T10:30:00Z' })).toEqual({ action: 'hold', reason: 'maintenance', until: at('2026-03-01T11:00:00Z') });
    }
  });

  test('sends again once the window is over, and ignores windows that cover other monitors', () => {
    expect(decide({ windows: [makeWindow()], now: '2026-03-01T11:00:00Z' })).toEqual({ action: 'send' });
    expect(decide({ windows: [makeWindow({ monitors: ['other'] })], now: '2026-03-01T10:30:00Z' })).toEqual({ action: 'send' });
  });

  test('sends a channel test during a window', () => {
    expect(decide({ event: 'channel.test', windows: [makeWindow()], now: '2026-03-01T10:30:00Z' })).toEqual({ action: 'send' });
  });

  test('holds during a snooze, and sends once the snooze has expired', () => {
    const monitor = { snoozedUntil: at('2026-03-01T10:20:00Z') };
    expect(decide({ monitor, now: '2026-03-01T10:19:59Z' })).toEqual({ action: 'hold', reason: 'snooze', until: at('2026-03-01T10:20:00Z') });
    expect(decide({ monitor, now: '2026-03-01T10:20:00Z' })).toEqual({ action: 'send' });
  });

  test('a snooze that runs into a window holds until the window ends; the reason is whichever lasts longer now', () => {
    const windows = [makeWindow({ start: at('2026-03-01T10:15:00Z'), end: at('2026-03-01T11:00:00Z') })];
    const monitor = { snoozedUntil: at('2026-03-01T10:30:00Z') };
    expect(decide({ monitor, windows, now: '2026-03-01T10:00:00Z' })).toEqual({ action: 'hold', reason: 'snooze', until: at('2026-03-01T11:00:00Z') });
    expect(decide({ monitor, windows, now: '2026-03-01T10:20:00Z' })).toEqual({ action: 'hold', reason: 'maintenance', until: at('2026-03-01T11:00:00Z') });
  });

  test('a snooze longer than the window says snooze and lasts until the snooze ends', () => {
    const monitor = { snoozedUntil: at('2026-03-01T12:00:00Z') };
    expect(decide({ monitor, windows: [makeWindow()], now: '2026-03-01T10:30:00Z' })).toEqual({ action: 'hold', reason: 'snooze', until: at('2026-03-01T12:00:00Z') });
  });

  test('suppresses a child\'s down alert while a parent is down, naming the parent', () => {
    const parents = [makeParent({ status: 'down' })];
    expect(decide({ monitor: { dependsOn: ['host'] }, parents })).toEqual({ action: 'suppress', parentId: 'host', parentName: 'web-1 host' });
    expect(decide({ monitor: { dependsOn: ['host'] }, parents, event: 'monitor.still_down' })).toMatchObject({ action: 'suppress' });
  });

  test('suppresses while a parent is in a window, not once the window is over', () => {
    const parents = [makeParent({ quietUntil: at('2026-03-01T11:00:00Z') })];
    expect(decide({ monitor: { dependsOn: ['host'] }, parents, now: '2026-03-01T10:59:59Z' })).toMatchObject({ action: 'suppress', parentId: 'host' });
    expect(decide({ monitor: { dependsOn: ['host'] }, parents, now: '2026-03-01T11:00:00Z' })).toEqual({ action: 'send' });
  });

  test('a parent that is up, paused or new, or that the child does not depend on, suppresses nothing', () => {
    for (const status of ['up', 'paused', 'new'] as MonitorStatus[]) {
      expect(decide({ monitor: { dependsOn: ['host'] }, parents: [makeParent({ status })] })).toEqual({ action: 'send' });
    }
    expect(decide({ monitor: { dependsOn: [] }, parents: [makeParent({ status: 'down' })] })).toEqual({ action: 'send' });
  });

  test('names the first parent in dependsOn order that is down', () => {
    const parents = [makeParent({ id: 'db', name: 'database', status: 'down' }), makeParent({ status: 'down' })];
    expect(decide({ monitor: { dependsOn: ['host', 'db'] }, parents })).toMatchObject({ parentId: 'host' });
  });

  test('suppression wins over hold: a child in its own window whose parent is down is suppressed', () => {
    const parents = [makeParent({ status: 'down' })];
    expect(decide({ monitor: { dependsOn: ['host'] }, parents, windows: [makeWindow()], now: '2026-03-01T10:30:00Z' })).toMatchObject({ action: 'suppress' });
  });

  test('skips the up alert and reminders of an outage whose down alert was suppressed', () => {
    expect(decide({ monitor: { downSuppressed: true, dependsOn: ['host'] }, event: 'monitor.up', parents: [makeParent()] })).toEqual({ action: 'skip', reason: 'down_suppressed' });
    expect(decide({ monitor: { downSuppressed: true }, event: 'monitor.still_down' })).toEqual({ action: 'skip', reason: 'down_suppressed' });
    expect(decide({ monitor: { downSuppressed: false }, event: 'monitor.up' })).toEqual({ action: 'send' });
  });

  test('a parent\'s status is not enough to suppress an up alert', () => {
    expect(decide({ monitor: { dependsOn: ['host'] }, event: 'monitor.up', parents: [makeParent({ status: 'down' })] })).toEqual({ action: 'send' });
  });
});

describe('quietState and quietEnd', () => {
  test('are null when neither a window nor a snooze is on', () => {
    const m = makeMonitor({ snoozedUntil: at('2026-03-01T09:00:00Z') });
    expect(quietState(m, [makeWindow()], at('2026-03-01T11:30:00Z'))).toBeNull();
    expect(quietEnd(m, [makeWindow()], at('2026-03-01T11:30:00Z'))).toBeNull();
  });

  test('quietEnd follows a window into a snooze that outlasts it', () => {
    const m = makeMonitor({ snoozedUntil: at('2026-03-01T11:45:00Z') });
    expect(quietEnd(m, [makeWindow({ end: at('2026-03-01T11:00:00Z') })], at('2026-03-01T10:05:00Z'))).toEqual(at('2026-03-01T11:45:00Z'));
  });
});

describe('afterQuiet', () => {
  test('owes a down alert when the monitor is down and its channels were told otherwise', () => {
    expect(afterQuiet({ status: 'down', toldStatus: 'up' })).toBe('monitor.down');
    expect(afterQuiet({ status: 'down', toldStatus: null })).toBe('monitor.down');
  });

  test('owes an up alert when it recovered after its channels were told it was down', () => {
    expect(afterQuiet({ status: 'up', toldStatus: 'down' })).toBe('monitor.up');
  });

  test('owes nothing when the channels already know', () => {
    expect(afterQuiet({ status: 'down', toldStatus: 'down' })).toBeNull();
    expect(afterQuiet({ status: 'up', toldStatus: 'up' })).toBeNull();
    expect(afterQuiet({ status: 'up', toldStatus: null })).toBeNull();
    expect(afterQuiet({ status: 'paused', toldStatus: 'down' })).toBeNull();
  });
});

describe('rememberAlert', () => {
  const told = (toldStatus: AlertMemory['toldStatus'], downSuppressed = false): AlertMemory => ({ toldStatus, downSuppressed });

  test('a sent down or up alert tells the channels', () => {
    expect(rememberAlert(told('up'), 'monitor.down', { action: 'send' })).toEqual(told('down'));
    expect(rememberAlert(told('down'), 'monitor.up', { action: 'send' })).toEqual(told('up'));
  });

  test('a held alert changes nothing', () => {
    expect(rememberAlert(told('up'), 'monitor.down', { action: 'hold', reason: 'maintenance', until: at(T0) })).toEqual(told('up'));
  });

  test('a suppressed down is remembered, and the up event ends it', () => {
    const suppressed = rememberAlert(told('up'), 'monitor.down', { action: 'suppress', parentId: 'host', parentName: 'h' });
    expect(suppressed).toEqual(told('up', true));
    expect(rememberAlert(suppressed, 'monitor.up', { action: 'skip', reason: 'down_suppressed' })).toEqual(told('up', false));
  });
});

/**
 * A small sweep over pure state, as the checker will run it: flips in the order given, each alert
 * decided with the statuses the batch has reached so far, memory updated as it goes.
 */
interface Sim {
  monitors: Map<string, QuietMonitor & AlertMemory & { name: string }>;
  windows: MaintenanceWindow[];
  sent: string[];
}

function simulate(deps: Record<string, string[]>, windows: MaintenanceWindow[] = []): Sim {
  const monitors = new Map(Object.entries(deps).map(([id, dependsOn]) => [id, { ...makeMonitor({ id, dependsOn }), name: id, toldStatus: 'up' as const }]));
  return { monitors, windows, sent: [] };
}

function parentsOf(sim: Sim, id: string, now: Date): ParentState[] {
  const m = sim.monitors.get(id)!;
  return m.dependsOn.map((p) => {
    const parent = sim.monitors.get(p)!;
    return { id: p, name: parent.name, status: parent.status, quietUntil: quietEnd(parent, sim.windows, now) };
  });
}

function alert(sim: Sim, id: string, event: AlertEvent, now: Date): AlertDecision {
  const m = sim.monitors.get(id)!;
  const decision = decideAlert({ monitor: m, event, windows: sim.windows, parents: parentsOf(sim, id, now), now });
  if (decision.action === 'send') sim.sent.push(`${id} ${event}`);
  Object.assign(m, rememberAlert(m, event, decision));
  return decision;
}

/** One sweep: each listed monitor flips to `to`, parents first; then children a recovered parent released get their down alert. */
function sweep(sim: Sim, flips: string[], to: 'up' | 'down', now: Date): void {
  const order = parentsFirst(flips.map((id) => ({ id, dependsOn: sim.monitors.get(id)!.dependsOn })));
  for (const id of order) {
    sim.monitors.get(id)!.status = to;
    alert(sim, id, to === 'down' ? 'monitor.down' : 'monitor.up', now);
  }
  if (to !== 'up') return;
  const all = [...sim.monitors.values()];
  const parents = all.map((m) => ({ id: m.id, name: m.name, status: m.status, quietUntil: quietEnd(m, sim.windows, now) }));
  for (const id of parentsFirst(all.filter((m) => releasedChildren([m], parents, now).length > 0))) alert(sim, id, 'monitor.down', now);
}

describe('parents and children over sweeps', () => {
  const t = (minute: number) => new Date(at(T0).getTime() + minute * 60_000);

  test('child down first, then the parent: both alert (the child went down while its parent was still up)', () => {
    const sim = simulate({ host: [], child: ['host'] });
    sweep(sim, ['child'], 'down', t(0));
    sweep(sim, ['host'], 'down', t(1));
    expect(sim.sent).toEqual(['child monitor.down', 'host monitor.down']);
  });

  test('parent down first, then the child: only the parent alerts', () => {
    const sim = simulate({ host: [], child: ['host'] });
    sweep(sim, ['host'], 'down', t(0));
    sweep(sim, ['child'], 'down', t(1));
    expect(sim.sent).toEqual(['host monitor.down']);
    expect(sim.monitors.get('child')!.downSuppressed).toBe(true);
  });

  test('parent and child down in the same sweep, child listed first: only the parent alerts', () => {
    const sim = simulate({ host: [], child: ['host'] });
    sweep(sim, ['child', 'host'], 'down', t(0));
    expect(sim.sent).toEqual(['host monitor.down']);
  });

  test('ten children of a dead parent: one alert; those still down when it recovers alert then', () => {
    const deps: Record<string, string[]> = { host: [] };
    const children = Array.from({ length: 10 }, (_, i) => `job${i}`);
    for (const c of children) deps[c] = ['host'];
    const sim = simulate(deps);
    sweep(sim, [...children, 'host'], 'down', t(0));
    expect(sim.sent).toEqual(['host monitor.down']);
    sweep(sim, children.slice(0, 8), 'up', t(5));
    sweep(sim, ['host'], 'up', t(6));
    expect(sim.sent).toEqual(['host monitor.down', 'host monitor.up', 'job8 monitor.down', 'job9 monitor.down']);
  });

  test('a suppressed child that recovers after its parent sends nothing for its recovery', () => {
    const sim = simulate({ host: [], child: ['host'] });
    sweep(sim, ['host', 'child'], 'down', t(0));
    sweep(sim, ['child'], 'up', t(1));
    sweep(sim, ['host'], 'up', t(2));
    expect(sim.sent).toEqual(['host monitor.down', 'host monitor.up']);
  });

  test('a chain of three: only the root alerts; each level is released as the one above recovers', () => {
    const sim = simulate({ a: [], b: ['a'], c: ['b'] });
    sweep(sim, ['c', 'b', 'a'], 'down', t(0));
    expect(sim.sent).toEqual(['a monitor.down']);
    sweep(sim, ['a'], 'up', t(5));
    expect(sim.sent.slice(1)).toEqual(['a monitor.up', 'b monitor.down']);
    sweep(sim, ['b'], 'up', t(6));
    expect(sim.sent.slice(3)).toEqual(['b monitor.up', 'c monitor.down']);
  });

  test('a child with two parents is released only when neither is down', () => {
    const parents = [makeParent({ status: 'up' }), makeParent({ id: 'db', name: 'database', status: 'down' })];
    const child = makeMonitor({ status: 'down', downSuppressed: true, dependsOn: ['host', 'db'] });
    expect(releasedChildren([child], parents, at(T0))).toEqual([]);
    expect(releasedChildren([child], [parents[0], { ...parents[1], status: 'up' }], at(T0))).toEqual(['child']);
  });

  test('only children still down whose down alert was suppressed are released', () => {
    const parents = [makeParent()];
    const kids = [
      makeMonitor({ id: 'suppressed', status: 'down', downSuppressed: true, dependsOn: ['host'] }),
      makeMonitor({ id: 'told', status: 'down', downSuppressed: false, dependsOn: ['host'] }),
      makeMonitor({ id: 'recovered', status: 'up', downSuppressed: true, dependsOn: ['host'] }),
    ];
    expect(releasedChildren(kids, parents, at(T0))).toEqual(['suppressed']);
  });

  test('a released child in its own window is held, and alerts once when the window ends', () => {
    const windows = [makeWindow({ monitors: ['child'], start: t(4), end: t(30) })];
    const sim = simulate({ host: [], child: ['host'] }, windows);
    sweep(sim, ['host', 'child'], 'down', t(0));
    sweep(sim, ['host'], 'up', t(5));
    expect(sim.sent).toEqual(['host monitor.down', 'host monitor.up']);
    const child = sim.monitors.get('child')!;
    expect(afterQuiet(child)).toBe('monitor.down');
    alert(sim, 'child', afterQuiet(child)!, t(30));
    expect(sim.sent.at(-1)).toBe('child monitor.down');
  });

  test('a window that ends while the monitor is still down: silent during it, one alert after it', () => {
    const sim = simulate({ job: [] }, [makeWindow({ start: t(0), end: t(60) })]);
    sweep(sim, ['job'], 'down', t(10));
    expect(alert(sim, 'job', 'monitor.still_down', t(40))).toMatchObject({ action: 'hold', until: t(60) });
    expect(sim.sent).toEqual([]);
    const job = sim.monitors.get('job')!;
    expect(afterQuiet(job)).toBe('monitor.down');
    alert(sim, 'job', 'monitor.down', t(60));
    expect(sim.sent).toEqual(['job monitor.down']);
    expect(afterQuiet(job)).toBeNull();
  });

  test('a monitor down and back within the window owes nothing when it ends', () => {
    const sim = simulate({ job: [] }, [makeWindow({ start: t(0), end: t(60) })]);
    sweep(sim, ['job'], 'down', t(10));
    sweep(sim, ['job'], 'up', t(20));
    expect(sim.sent).toEqual([]);
    expect(afterQuiet(sim.monitors.get('job')!)).toBeNull();
  });

  test('suppressedBy names the parent while it applies', () => {
    expect(suppressor({ dependsOn: ['host'] }, [makeParent({ status: 'down' })], at(T0))?.name).toBe('web-1 host');
    expect(suppressor({ dependsOn: ['host'] }, [makeParent()], at(T0))).toBeNull();
  });
});

describe('parentsFirst', () => {
  test('puts every parent before its children and keeps input order otherwise', () => {
    expect(parentsFirst([
      { id: 'c', dependsOn: ['b'] }, { id: 'x', dependsOn: [] }, { id: 'b', dependsOn: ['a'] }, { id: 'a', dependsOn: [] },
    ])).toEqual(['x', 'a', 'b', 'c']);
  });

  test('ignores parents outside the batch, and puts ids in a cycle last', () => {
    expect(parentsFirst([{ id: 'p', dependsOn: ['q'] }, { id: 'q', dependsOn: ['p'] }, { id: 'k', dependsOn: ['elsewhere'] }])).toEqual(['k', 'p', 'q']);
  });
});

describe('parentsOnCycle', () => {
  test('names the parents that lead back to the monitor, and only those', () => {
    // a → c → b → a is a cycle a lost race closed; d is an ordinary parent of a.
    const graph = new Map<string, string[]>([['a', ['c', 'd']], ['b', ['a']], ['c', ['b']], ['d', []]]);
    expect(parentsOnCycle('a', ['c', 'd'], graph)).toEqual(new Set(['c']));
    expect(parentsOnCycle('d', [], graph)).toEqual(new Set());
    // A parent that was not read (the walk stopped) counts as no cycle.
    expect(parentsOnCycle('x', ['unread'], graph)).toEqual(new Set());
  });
});

describe('dependencyProblem', () => {
  const graph = new Map<string, string[]>([['a', []], ['b', ['a']], ['c', ['b']], ['d', []]]);

  test('accepts parents that make no cycle, a shared grandparent included', () => {
    expect(dependencyProblem('d', ['b', 'c'], graph)).toBeNull();
    expect(dependencyProblem('new', ['a', 'c'], graph)).toBeNull();
    expect(dependencyProblem('a', [], graph)).toBeNull();
  });

  test('refuses the monitor itself', () => {
    expect(dependencyProblem('a', ['a'], graph)).toBe('dependsOn must not include the monitor itself.');
  });

  test('refuses an id that is not a monitor of the account', () => {
    expect(dependencyProblem('a', ['zzz'], graph)).toBe('dependsOn names zzz, which is not a monitor of this account.');
  });

  test('refuses a direct cycle', () => {
    expect(dependencyProblem('a', ['b'], graph)).toBe('dependsOn would make a cycle: a → b → a.');
  });

  test('refuses a cycle through a longer chain, naming it', () => {
    expect(dependencyProblem('a', ['d', 'c'], graph)).toBe('dependsOn would make a cycle: a → c → b → a.');
  });

  test('refuses more than 10 parents and a repeated one', () => {
    const many = new Map<string, string[]>(Array.from({ length: 12 }, (_, i) => [`m${i}`, []]));
    expect(dependencyProblem('m0', Array.from({ length: 11 }, (_, i) => `m${i + 1}`), many)).toBe('dependsOn must list at most 10 monitors.');
    expect(dependencyProblem('m0', Array.from({ length: 10 }, (_, i) => `m${i + 1}`), many)).toBeNull();
    expect(dependencyProblem('d', ['a', 'a'], graph)).toBe('dependsOn lists a twice.');
  });

  test('checkDependsOn throws the problem as a bad request', () => {
    expect(() => checkDependsOn('a', ['b'], graph)).toThrow(new AppError(ErrorCode.BadRequest, 'dependsOn would make a cycle: a → b → a.'));
    expect(() => checkDependsOn('d', ['a'], graph)).not.toThrow();
  });
});

describe('snoozeEnd', () => {
  const now = at(T0);
  const refused = (input: { for?: number; until?: Date }) => {
    try {
      snoozeEnd(input, now);
    } catch (err) {
      expect((err as AppError).code).toBe(ErrorCode.BadRequest);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };

  test('for a number of seconds, or until a time', () => {
    expect(snoozeEnd({ for: 3600 }, now)).toEqual(at('2026-03-01T11:00:00Z'));
    expect(snoozeEnd({ until: at('2026-03-08T10:00:00Z') }, now)).toEqual(at('2026-03-08T10:00:00Z'));
  });

  test('refuses neither or both, naming for and until', () => {
    expect(refused({})).toMatch(/^for \(seconds\) or until \(a time\) is required/);
    expect(refused({ for: 60, until: at('2026-03-01T11:00:00Z') })).toMatch(/not both/);
  });

  test('refuses less than a minute or more than 7 days', () => {
    expect(refused({ for: 59 })).toMatch(/^for must be a whole number of seconds from 60 to 604800/);
    expect(refused({ for: 604_801 })).toMatch(/^for must be/);
    expect(refused({ until: at('2026-03-01T10:00:00Z') })).toMatch(/^until must be in the future/);
    expect(refused({ until: at('2026-03-08T10:00:01Z') })).toMatch(/^until must be at most 7 days/);
  });
});

describe('held rows and their release', () => {
  const t = (minutes: number) => new Date(Date.UTC(2026, 2, 28, 2, minutes));
  let ids = 0;
  const row = (event: LoggedAlert['event'], state: LoggedAlert['state'], minutes: number, extra: Partial<LoggedAlert> = {}): LoggedAlert => ({
    id: `n${++ids}`,
    event,
    channel: 'webhook',
    channelId: null,
    target: 'https://hooks.example/a',
    createdAt: t(minutes),
    state,
    lastError: null,
    attempts: state === 'pending' ? 0 : 1,
    snapshot: { outageId: 'm_1_down' },
    ...extra,
  });
  const newestFirst = (rows: LoggedAlert[]) => [...rows].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());

  test('a hold note reads back as what it waits for', () => {
    const until = new Date('2026-12-02T18:00:00.000Z');
    for (const h of [{ kind: 'maintenance', until }, { kind: 'snooze', until }, { kind: 'parent', parentName: 'db "host" is down', parentDown: true }, { kind: 'parent', parentName: 'db', parentDown: false }] as HeldFor[]) {
      expect(heldForOf(heldNote(h))).toEqual(h);
    }
    expect(heldNote({ kind: 'maintenance', until })).toBe('held: maintenance until 2026-12-02T18:00:00.000Z');
    expect(heldForOf(null)).toBeNull();
    expect(heldForOf('connection refused')).toBeNull();
    expect(heldForOf('held: waiting for the verdict on the down alert of the same outage')).toBeNull();
  });

  test('the newest held row is sent when it tells the status now and the channel was last told otherwise', () => {
    const told = row('monitor.up', 'delivered', 0);
    const down = row('monitor.down', 'held', 10);
    expect(owedAfterQuiet(down, 'down', newestFirst([told, down]))).toEqual({ send: true });
    expect(owedAfterQuiet(down, 'up', newestFirst([told, down]))).toMatchObject({ send: false, reason: expect.stringContaining('last told it is up') });
    // Never told anything: a down is owed, an up is not.
    expect(owedAfterQuiet(down, 'down', [down])).toEqual({ send: true });
    const up = row('monitor.up', 'held', 20);
    expect(owedAfterQuiet(up, 'up', newestFirst([down, up]))).toMatchObject({ send: false, reason: expect.stringContaining('never told') });
  });

  test('an older held row is replaced by a later one; reminders and suppressed rows replace nothing', () => {
    const first = row('monitor.down', 'held', 10);
    const second = row('monitor.down', 'held', 30);
    expect(owedAfterQuiet(first, 'down', newestFirst([first, second]))).toMatchObject({ send: false, reason: expect.stringContaining('later alert') });
    const reminder = row('monitor.still_down', 'pending', 40);
    const dropped = row('monitor.up', 'suppressed', 50);
    expect(owedAfterQuiet(second, 'down', newestFirst([first, second, reminder, dropped]))).toEqual({ send: true });
    // Another channel's rows are another matter.
    const elsewhere = row('monitor.down', 'held', 60, { channelId: 'ch_0000000000000001', channel: 'slack', target: 'ch_0000000000000001' });
    expect(owedAfterQuiet(second, 'down', newestFirst([first, second, elsewhere]))).toEqual({ send: true });
  });

  test('what became of an outage’s down alert, for the same target', () => {
    const up = row('monitor.up', 'pending', 20);
    expect(downFate(up, [up])).toBe('unknown');
    expect(downFate(up, [up, row('monitor.down', 'delivered', 10)])).toBe('told');
    expect(downFate(up, [up, row('monitor.down', 'pending', 10, { attempts: 3 })])).toBe('told');
    expect(downFate(up, [up, row('monitor.down', 'pending', 10)])).toBe('undecided');
    expect(downFate(up, [up, row('monitor.down', 'processing', 10)])).toBe('undecided');
    expect(downFate(up, [up, row('monitor.down', 'suppressed', 10)])).toBe('suppressed');
    expect(downFate(up, [up, row('monitor.down', 'held', 10, { lastError: 'held: parent "db" is down' })])).toBe('parent');
    expect(downFate(up, [up, row('monitor.down', 'held', 10, { lastError: 'held: snoozed until 2026-03-28T03:00:00.000Z' })])).toBe('quiet');
    expect(downFate(up, [up, row('monitor.down', 'suppressed', 10, { snapshot: { outageId: 'm_2_down' } })])).toBe('unknown');
  });
});
