import fs from 'node:fs';
import path from 'node:path';
import { exportedChannel, exportedMonitor, fromHealthchecks, importOrder, tagsFromWords } from '../../src/domain/import-formats';
import { makeMonitor } from '../support/factories';

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'healthchecks-checks.json'), 'utf8')) as { checks: Array<Record<string, unknown>> };
const check = (name: string) => fixture.checks.find((c) => c.name === name) as Record<string, unknown>;

describe("Healthchecks' checks as create bodies", () => {
  test('a simple check: timeout is the schedule, grace and tags carry over, state and URLs are ignored, desc and channels are unmapped', () => {
    expect(fromHealthchecks(check('Filesystem Backup'))).toEqual({
      body: { name: 'Filesystem Backup', slug: 'filesystem-backup', schedule: 3600, grace: 600, tags: ['backup', 'fs'] },
      unmapped: ['desc', 'channels'],
      notes: [],
    });
  });

  test('a cron check: schedule and tz carry over as a cron schedule', () => {
    expect(fromHealthchecks(check('Database Backup'))).toEqual({
      body: { name: 'Database Backup', slug: 'database-backup', schedule: '15 5 * * *', tz: 'Europe/Berlin', grace: 1200, tags: ['production', 'db'] },
      unmapped: [],
      notes: [],
    });
  });

  test('tags are lower-cased words, repeats once; a word that is not a tag is dropped and named; manual_resume and methods are unmapped', () => {
    const candidate = fromHealthchecks(check('Invoice run'));
    expect(candidate.body.tags).toEqual(['billing', 'finance']);
    expect(candidate.unmapped).toEqual(['tags', 'manual_resume', 'methods']);
    expect(candidate.notes).toEqual([expect.stringMatching(/^tags "prod!" dropped: a tag is 1 to 32/)]);
  });

  test('an empty slug is no slug; keyword and subject filters are unmapped', () => {
    const candidate = fromHealthchecks(check('Email report'));
    expect(candidate.body).not.toHaveProperty('slug');
    expect(candidate.unmapped).toEqual(['start_kw', 'success_kw', 'failure_kw', 'filter_subject']);
  });

  test('an unnamed check takes its slug as its name', () => {
    expect(fromHealthchecks({ name: '', slug: 'cleanup', timeout: 86400 }).body).toMatchObject({ name: 'cleanup', slug: 'cleanup', schedule: 86400 });
  });

  test('a value CronPeek cannot take (an OnCalendar schedule) is passed on for validation to refuse', () => {
    expect(fromHealthchecks(check('Weekday report')).body).toMatchObject({ schedule: 'Mon..Fri *-*-* 09:00:00', tz: 'Europe/Riga' });
  });

  test('fields holding no setting ("", false, null) are not reported', () => {
    expect(fromHealthchecks({ name: 'x', timeout: 60, methods: '', filter_body: false, desc: '', channels: '', subject: null }).unmapped).toEqual([]);
  });

  test('tags past the limit of ten are dropped and named', () => {
    const words = Array.from({ length: 12 }, (_, i) => `t${i}`).join(' ');
    expect(tagsFromWords(words)).toEqual({ tags: words.split(' ').slice(0, 10), dropped: ['t10', 't11'] });
  });
});

describe('the export of a monitor', () => {
  test('is its create body: no ids, tokens or state; the account address left out; parents by the reference given', () => {
    const m = makeMonitor({ name: 'Backup', slug: 'backup', cron: '0 3 * * *', tz: 'Europe/Berlin', schedule: 86400, grace: 600, tags: ['db'], alertEmail: 'me@example.com', dependsOn: ['0123456789abcdef'] });
    const exported = exportedMonitor(m, 'me@example.com', (id) => (id === '0123456789abcdef' ? 'parent' : id));
    expect(exported).toMatchObject({ name: 'Backup', slug: 'backup', schedule: '0 3 * * *', tz: 'Europe/Berlin', grace: 600, tags: ['db'], dependsOn: ['parent'] });
    expect(exported).not.toHaveProperty('alertEmail');
    expect(JSON.stringify(exported)).not.toContain(m.pingToken);
    expect(Object.keys(exported)).not.toEqual(expect.arrayContaining(['monitorId', 'status', 'pingUrl']));
  });

  test('keeps an alert address other than the account\'s, and a plain period has no tz', () => {
    const exported = exportedMonitor(makeMonitor({ alertEmail: 'ops@example.com', cron: null, tz: null, schedule: 3600 }), 'me@example.com', (id) => id);
    expect(exported).toMatchObject({ alertEmail: 'ops@example.com', schedule: 3600 });
    expect(exported).not.toHaveProperty('tz');
  });

  test("a channel object's secrets are masked, as every answer masks them", () => {
    const channel = { id: 'ch_0123456789abcdef', accountId: 'a', kind: 'slack' as const, name: 'Ops', config: { url: 'https://hooks.slack.com/services/T000/B000/XXXX' }, events: ['down' as const], isDefault: false, webhookSecret: null, createdAt: new Date(0) };
    expect(exportedChannel(channel)).toEqual({ channelId: 'ch_0123456789abcdef', kind: 'slack', name: 'Ops', config: { url: 'https://hooks.slack.com/…' }, events: ['down'], isDefault: false });
  });
});

describe('importOrder', () => {
  test('puts a parent named by slug before its child, and otherwise keeps the order', () => {
    expect(importOrder([{ slug: 'child', dependsOn: ['parent'] }, { slug: null, dependsOn: [] }, { slug: 'parent', dependsOn: [] }])).toEqual([1, 2, 0]);
  });

  test('a cycle keeps every entry, once', () => {
    expect(importOrder([{ slug: 'a', dependsOn: ['b'] }, { slug: 'b', dependsOn: ['a'] }]).sort()).toEqual([0, 1]);
  });
});
