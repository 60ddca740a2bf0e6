import { CHANNEL_KINDS } from '../../src/domain/channels';
import { silentLogger } from '../../src/log';
import { createNotifiers } from '../../src/notify';
import { testNotifyConfig } from '../support/deps';

test('every kind in the channel registry has its notifier, and nothing else has one', () => {
  const notifiers = createNotifiers(testNotifyConfig(), silentLogger, () => new Date());
  expect(Object.keys(notifiers)).toEqual(CHANNEL_KINDS);
  for (const kind of CHANNEL_KINDS) expect(typeof notifiers[kind].send).toBe('function');
});
