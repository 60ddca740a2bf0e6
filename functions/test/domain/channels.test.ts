import fs from 'node:fs';
import path from 'node:path';
import { REPO_DIR } from '../../src/config';
import { CHANNEL_KINDS, channelSpec, channelsOn, MONITOR_CHANNELS, onEveryPlan } from '../../src/domain/channels';
import { isPlanId } from '../../src/domain/plans';

describe('the channel registry', () => {
  test.each(CHANNEL_KINDS)('%s has a label, config fields and at least one real plan', (kind) => {
    const spec = channelSpec(kind);
    expect(spec.label.trim()).not.toBe('');
    expect(Object.keys(spec.config).length).toBeGreaterThan(0);
    if (spec.monitorField !== undefined) expect(['email', 'url', 'pattern']).toContain(spec.target?.kind);
    expect(spec.plans.length).toBeGreaterThan(0);
    for (const plan of spec.plans) expect(isPlanId(plan)).toBe(true);
  });

  test('labels and monitor fields are each used once', () => {
    const labels = CHANNEL_KINDS.map((kind) => channelSpec(kind).label.toLowerCase());
    const fields = MONITOR_CHANNELS.map(({ field }) => field);
    expect(new Set(labels).size).toBe(labels.length);
    expect(new Set(fields).size).toBe(fields.length);
  });

  test('the monitor fields are the four shorthands, in the order answers list them', () => {
    expect(MONITOR_CHANNELS).toEqual([
      { kind: 'email', field: 'alertEmail' },
      { kind: 'webhook', field: 'alertWebhook' },
      { kind: 'slack', field: 'alertSlack' },
      { kind: 'pagerduty', field: 'alertPagerDuty' },
    ]);
  });

  test('Free gets e-mail only; Pro every channel, in registry order', () => {
    expect(channelsOn('free')).toEqual(['email']);
    expect(channelsOn('pro')).toEqual(CHANNEL_KINDS);
  });

  test('only e-mail is on every plan, so only its sends skip the plan check', () => {
    expect(CHANNEL_KINDS.filter(onEveryPlan)).toEqual(['email']);
  });
});

describe('every channel kind is documented', () => {
  test('in the OpenAPI description’s Channel enum', () => {
    const spec = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'public', 'openapi.json'), 'utf8')) as {
      components: { schemas: { Channel: { enum: string[] } } };
    };
    expect(spec.components.schemas.Channel.enum).toEqual(CHANNEL_KINDS);
  });

  test('in the channels table of docs/alerts.md', () => {
    const alerts = fs.readFileSync(path.join(REPO_DIR, 'docs', 'alerts.md'), 'utf8');
    const table = alerts.slice(alerts.indexOf('## Channels and plans'), alerts.indexOf('\n\n', alerts.indexOf('| channel |')));
    const rows = table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| channel') && !line.startsWith('|---'));
    const named = rows.map((row) => row.split('|')[1].trim().toLowerCase());
    expect(named).toEqual(CHANNEL_KINDS.map((kind) => channelSpec(kind).label.toLowerCase()));
  });
});

describe('the value a monitor field holds, in a channel object', () => {
  test('every kind a monitor field can set names the config field holding the same value, and only those kinds', () => {
    for (const kind of CHANNEL_KINDS) {
      const spec = channelSpec(kind);
      if (spec.monitorField === undefined) {
        expect(spec.targetField).toBeUndefined();
        continue;
      }
      expect(Object.keys(spec.config)).toContain(spec.targetField);
    }
  });
});
