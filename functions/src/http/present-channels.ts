import { maskedConfig } from '../domain/channels';
import type { AlertChannel } from '../domain/types';

/** A channel object as every answer shows it: secrets masked (`maskedConfig`), never as stored. */
export function channelAnswer(c: AlertChannel) {
  return {
    channelId: c.id,
    kind: c.kind,
    name: c.name,
    config: maskedConfig(c.kind, c.config),
    events: c.events,
    isDefault: c.isDefault,
    createdAt: c.createdAt.toISOString(),
  };
}

/** The answer to its creation: a webhook channel's signing secret is shown this once. */
export function createdChannel(c: AlertChannel) {
  return { ...channelAnswer(c), ...(c.webhookSecret !== null ? { webhookSecret: c.webhookSecret } : {}) };
}
