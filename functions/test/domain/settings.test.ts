import { checkPlanAllows, editedTiming, editMonitor } from '../../src/domain/settings';
import { PLANS } from '../../src/domain/plans';
import { deadlineAfter, defaultGrace } from '../../src/domain/schedule';
import type { Monitor } from '../../src/domain/types';
import type { MonitorEdit } from '../../src/domain/settings';
import { makeMonitor } from '../support/factories';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const periodOf = (schedule: number) => ({ schedule, cron: null, tz: null });
/** An edit as the service applies it: timing validated first, a fixed fresh secret. */
const edit = (m: Monitor, e: MonitorEdit, now = t0) => editMonitor(m, e, editedTiming(m, e, now), 'whsec_new', now);

describe('editing a monitor', () => {
  test('changes only the fields the edit names', () => {
    expect(edit(makeMonitor(), { name: 'Hourly sync' })).toEqual({ name: 'Hourly sync' });
  });

  test('moves an up monitor’s deadline to one new period after its last ping, without touching its status', () => {
    const m = makeMonitor({ status: 'up', schedule: 3600, grace: 360, lastPingAt: t0, alertAt: deadlineAfter(t0, periodOf(3600), 360) });
    const update = edit(m, { schedule: 600, grace: 120 }, at(100));
    expect(update).toEqual({ schedule: 600, cron: null, tz: null, grace: 120, alertAt: at(720) });
    expect(update).not.toHaveProperty('status');
  });

  test('a monitor resumed and not pinged since gets its new period from the resume, not from the older ping', () => {
    const resumedAt = at(86_400);
    const m = makeMonitor({ status: 'up', schedule: 3600, grace: 360, lastPingAt: t0, resumedAt, alertAt: deadlineAfter(resumedAt, periodOf(3600), 360) });
    expect(edit(m, { schedule: 600, grace: 120 }, at(86_500)).alertAt).toEqual(at(86_400 + 720));
  });

  test('a cron schedule moves the deadline to the next firing after the last ping, plus grace', () => {
    const m = makeMonitor({ status: 'up', schedule: 3600, grace: 300, lastPingAt: t0, alertAt: deadlineAfter(t0, periodOf(3600), 300) });
    const update = edit(m, { schedule: '30 2 * * *', tz: 'UTC' }, at(100));
    expect(update).toMatchObject({ cron: '30 2 * * *', tz: 'UTC', schedule: 86_400 });
    expect(update.alertAt).toEqual(new Date('2026-03-28T02:35:00.000Z'));
  });

  test('a new cron expression keeps the monitor’s zone unless the edit names one', () => {
    const m = makeMonitor({ schedule: 86_400, cron: '0 3 * * *', tz: 'America/New_York' });
    expect(edit(m, { schedule: '0 4 * * *' })).toMatchObject({ cron: '0 4 * * *', tz: 'America/New_York' });
    expect(edit(m, { tz: null })).toMatchObject({ cron: '0 3 * * *', tz: 'UTC' });
  });

  test('a zone for a monitor on a plain period is refused', () => {
    expect(() => edit(makeMonitor(), { tz: 'Europe/Berlin' })).toThrow(/tz applies to cron schedules only/);
  });

  test('a schedule back to seconds drops the zone', () => {
    const m = makeMonitor({ schedule: 86_400, cron: '0 3 * * *', tz: 'America/New_York' });
    expect(edit(m, { schedule: 3600 })).toMatchObject({ schedule: 3600, cron: null, tz: null });
  });

  test('keeps the oldest open run as what the deadline waits for', () => {
    const m = makeMonitor({ status: 'up', grace: 360, lastPingAt: t0, openRuns: [{ rid: null, at: at(50) }], alertAt: at(50 + 360) });
    expect(edit(m, { grace: 60 }, at(100)).alertAt).toEqual(at(110));
  });

  test('leaves the deadline of a monitor that cannot go down alone', () => {
    for (const status of ['new', 'down', 'paused'] as const) {
      expect(edit(makeMonitor({ status, alertAt: null }), { schedule: 600 })).toEqual({ schedule: 600, cron: null, tz: null });
    }
  });

  test('null grace returns to the default for the (new) schedule', () => {
    expect(edit(makeMonitor({ grace: 999 }), { schedule: 86_400, grace: null })).toMatchObject({ grace: defaultGrace(periodOf(86_400), t0) });
  });

  test('setting a webhook brings the fresh secret; removing it removes the secret', () => {
    expect(edit(makeMonitor(), { alertWebhook: 'https://h.example.com/x' })).toEqual({ alertWebhook: 'https://h.example.com/x', webhookSecret: 'whsec_new' });
    expect(edit(makeMonitor({ alertWebhook: 'https://h.example.com/x', webhookSecret: 'old' }), { alertWebhook: null })).toEqual({
      alertWebhook: null,
      webhookSecret: null,
    });
  });

  test('null removes e-mail, Slack and PagerDuty alerts', () => {
    expect(edit(makeMonitor(), { alertEmail: null, alertSlack: null, alertPagerDuty: null })).toEqual({ alertEmail: null, alertSlack: null, alertPagerDuty: null });
  });
});

describe('plan rules', () => {
  test('webhook, Slack and PagerDuty need a plan with them; removing one is always allowed', () => {
    expect(() => checkPlanAllows(PLANS.free, { alertWebhook: 'https://h.example.com/x' })).toThrow(/Webhook alerts need the Pro plan/);
    expect(() => checkPlanAllows(PLANS.free, { alertSlack: 'https://hooks.slack.com/x' })).toThrow(/Slack alerts need the Pro plan/);
    expect(() => checkPlanAllows(PLANS.free, { alertPagerDuty: 'a'.repeat(32) })).toThrow(/PagerDuty alerts need the Pro plan/);
    expect(() => checkPlanAllows(PLANS.free, { alertWebhook: null, alertSlack: null, alertPagerDuty: null })).not.toThrow();
    expect(() => checkPlanAllows(PLANS.pro, { alertWebhook: 'https://h.example.com/x', alertSlack: 'https://hooks.slack.com/x' })).not.toThrow();
  });
});
