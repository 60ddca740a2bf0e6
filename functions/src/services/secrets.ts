import { createHash, randomBytes } from 'node:crypto';

/** `cpk_` and 32 lower-case hex characters: 128 random bits. */
export const API_KEY_PATTERN = /^cpk_[0-9a-f]{32}$/;
export const MONITOR_ID_PATTERN = /^[0-9a-f]{16}$/;
/** Ping tokens are URL-safe base64 of 18 random bytes (144 bits). */
export const PING_TOKEN_PATTERN = /^[A-Za-z0-9_-]{24}$/;

export const newApiKey = (): string => `cpk_${randomBytes(16).toString('hex')}`;
/** Secrets are stored as their SHA-256 only: API keys and recovery tokens. */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');
export const hashApiKey = hashSecret;
export const newAccountId = (): string => randomBytes(10).toString('hex');
export const newMonitorId = (): string => randomBytes(8).toString('hex');
/** Channel object ids carry a prefix, so one can never be taken for a monitor id (or the other way round). */
export const CHANNEL_ID_PATTERN = /^ch_[0-9a-f]{16}$/;
export const newChannelId = (): string => `ch_${randomBytes(8).toString('hex')}`;
/** Maintenance window ids carry their own prefix, for the same reason. */
export const WINDOW_ID_PATTERN = /^mw_[0-9a-f]{16}$/;
export const newWindowId = (): string => `mw_${randomBytes(8).toString('hex')}`;
export const newPingToken = (): string => randomBytes(18).toString('base64url');
/**
 * The account's ping key (pings by slug): `pk_` and 32 lower-case hex characters (128 random
 * bits). 35 characters, so it can never be taken for a ping token (24) or the other way round.
 */
export const PING_KEY_PATTERN = /^pk_[0-9a-f]{32}$/;
export const newPingKey = (): string => `pk_${randomBytes(16).toString('hex')}`;
/** Badge keys are 32 lower-case hex characters (128 random bits). */
export const BADGE_KEY_PATTERN = /^[0-9a-f]{32}$/;
export const newBadgeKey = (): string => randomBytes(16).toString('hex');
export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64url')}`;
/** Lost-key recovery tokens: URL-safe base64 of 32 random bytes (256 bits). */
export const RECOVERY_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const newRecoveryToken = (): string => randomBytes(32).toString('base64url');
/**
 * The id of the record of `email` as an address of `accountId`: 128 bits of their hash, so a
 * record is one read away and its id reveals neither.
 */
export const recipientId = (accountId: string, email: string): string => hashSecret(`${accountId}\n${email}`).slice(0, 32);
/**
 * E-mail confirmation and unsubscribe tokens: the record's id, a dot, then URL-safe base64 of 32
 * random bytes (256 bits). The id makes the lookup one read; only the random part is secret.
 */
export const EMAIL_TOKEN_PATTERN = /^([0-9a-f]{32})\.[A-Za-z0-9_-]{43}$/;
export const newEmailToken = (recipient: string): string => `${recipient}.${randomBytes(32).toString('base64url')}`;
