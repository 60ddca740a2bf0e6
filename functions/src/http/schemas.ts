import { z } from 'zod';
import { ROUTING_KEY_PATTERN } from '../notify/pagerduty';
import { MAX_PERIOD, MIN_PERIOD } from '../domain/schedule';

const period = (field: string) =>
  z
    .number({ error: `${field} must be an integer number of seconds` })
    .int({ error: `${field} must be an integer number of seconds` })
    .min(MIN_PERIOD, { error: `${field} must be at least ${MIN_PERIOD} seconds` })
    .max(MAX_PERIOD, { error: `${field} must be at most ${MAX_PERIOD} seconds (one year)` });

const email = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .max(254, { error: `${field} is too long` })
    .pipe(z.email({ error: `${field} must be a valid email address` }));

const httpsUrl = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .max(2048, { error: `${field} must be at most 2048 characters` })
    .pipe(z.url({ protocol: /^https?$/, error: `${field} must be an http(s) URL` }));

/** A PagerDuty Events API v2 integration key: 32 letters and digits. */
const routingKey = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .regex(ROUTING_KEY_PATTERN, { error: `${field} must be a PagerDuty Events API v2 integration key (32 letters and digits)` });

/** The Pro channels, as create and PATCH both validate them. */
export const alertSlackField = httpsUrl('alertSlack');
export const alertPagerDutyField = routingKey('alertPagerDuty');

export const createAccountBody = z.object({ email: email('email') });

export const createMonitorBody = z.object({
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, { error: 'name must not be empty' })
    .max(100, { error: 'name must be at most 100 characters' }),
  // A number of seconds, or a 5-field cron expression (checked in the domain, which knows cron).
  schedule: z.union([period('schedule'), z.string().max(100, { error: 'schedule must be at most 100 characters' })], {
    error: (issue) => {
      if (issue.input === undefined) return undefined;
      // A number gets the period's own message (integer, bounds), anything else the general one.
      const numberIssue = issue.code === 'invalid_union' && typeof issue.input === 'number' ? issue.errors[0]?.[0]?.message : undefined;
      return numberIssue ?? 'schedule must be a number of seconds or a 5-field cron expression string';
    },
  }),
  tz: z
    .string({ error: 'tz must be an IANA time zone name such as "Europe/Berlin"' })
    .max(64, { error: 'tz must be at most 64 characters' })
    .optional(),
  grace: period('grace').optional(),
  alertEmail: email('alertEmail').transform((e) => e.toLowerCase()).optional(),
  alertWebhook: z
    .string({ error: 'alertWebhook must be a string' })
    .max(2048, { error: 'alertWebhook must be at most 2048 characters' })
    .pipe(z.url({ protocol: /^https?$/, error: 'alertWebhook must be an http(s) URL' }))
    .optional(),
  alertSlack: alertSlackField.optional(),
  alertPagerDuty: alertPagerDutyField.optional(),
});
