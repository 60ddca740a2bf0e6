import { transition } from '../../src/domain/transitions';
import { webhookPayload } from '../../src/notify/message';
import { makeMonitor } from '../support/factories';

const deadline = new Date('2026-03-28T02:06:00.000Z');
/** When a checker got round to it: well after the deadline, as a slow poll would. */
const noticed = new Date(deadline.getTime() + 45_000);

describe('the time of a missed deadline', () => {
  test('the down flip is dated at the deadline, not when the checker noticed', () => {
    const m = makeMonitor({ status: 'up', alertAt: deadline, alertWebhook: 'https://hooks.example.com/x' });
    const t = transition(m, 'deadline', noticed)!;
    expect(t.flip).toMatchObject({ to: 'down', reason: 'missed', at: deadline });
    expect(t.changes.lastAlertAt).toEqual(deadline);
  });

  test('every alert of the flip gives the deadline as its occurredAt', () => {
    const m = makeMonitor({ status: 'up', alertAt: deadline, alertWebhook: 'https://hooks.example.com/x' });
    const t = transition(m, 'deadline', noticed)!;
    expect(t.notifications.length).toBeGreaterThan(0);
    for (const n of t.notifications) expect(webhookPayload(n).occurredAt).toBe(deadline.toISOString());
  });

  test('two checkers noticing at different moments write the same flip', () => {
    const m = makeMonitor({ status: 'up', alertAt: deadline });
    const first = transition(m, 'deadline', noticed)!.flip!;
    const second = transition(m, 'deadline', new Date(noticed.getTime() + 1_000))!.flip!;
    expect(second.id).toBe(first.id);
  });
});
