import { FLAP_LIMIT, FLAP_WINDOW_MS, SETTLE_MS } from '../domain/alerts';
import { displayLine, displayLines } from '../domain/text';
import { ordinal, splitStreak } from '../domain/tolerance';
import type { AlertSnapshot, Notification } from '../domain/types';
import type { SendResult } from './types';

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** The formatter of a zone's wall-clock time and offset; null for a zone this runtime does not know. */
function zoneFormat(tz: string): Intl.DateTimeFormat | null {
  if (!zoneFormats.has(tz)) {
    try {
      const options: Intl.DateTimeFormatOptions = { timeZone: tz, hourCycle: 'h23', timeZoneName: 'shortOffset' };
      zoneFormats.set(tz, new Intl.DateTimeFormat('en-US', { ...options, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }));
    } catch {
      return null;
    }
  }
  return zoneFormats.get(tz) ?? null;
}

/**
 * An instant as people read it in an alert, to the second and with its zone:
 * `2026-03-01 04:00:00 UTC`, or in a monitor's own zone `2026-03-01 05:00:00 Europe/Berlin (GMT+1)`.
 * Machine fields (webhook payloads, PagerDuty's `timestamp`) keep ISO 8601.
 */
export function when(d: Date | null, tz?: string | null): string {
  if (d === null) return 'never';
  const format = tz && tz !== 'UTC' && tz !== 'Etc/UTC' ? zoneFormat(tz) : null;
  if (format === null) return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const part = Object.fromEntries(format.formatToParts(d).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second} ${tz} (${part.timeZoneName})`;
}

/** An instant of an alert's monitor, in the monitor's zone when it has one. */
const whenFor = (s: AlertSnapshot, d: Date | null): string => when(d, s.tz);

const counted = (count: number, unit: string): string => `${count} ${unit}${count === 1 ? '' : 's'}`;

/** A span in seconds, in its largest whole unit: "1 day", "6 minutes", "90 seconds". */
export function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return counted(seconds / 86_400, 'day');
  if (seconds % 3_600 === 0) return counted(seconds / 3_600, 'hour');
  if (seconds % 60 === 0) return counted(seconds / 60, 'minute');
  return counted(seconds, 'second');
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** The schedule as the user wrote it: the cron expression with its zone, or the period. */
export function scheduleText(s: AlertSnapshot): string {
  return s.cron ? `"${s.cron}" (${s.tz ?? 'UTC'})` : duration(s.schedule);
}

/**
 * What failed when a monitor went down (`missed`, `exit code 3` …), without the count of failures
 * in a row its reason may end with; alerts written before reasons were recorded were all missed pings.
 */
export const downReason = (s: AlertSnapshot): string => splitStreak(s.reason ?? 'missed').reason;

/** "3rd failure in a row" when more than one failed run in a row took the monitor down (its `alertAfter`); else null. */
export function failureStreak(s: AlertSnapshot): string | null {
  const { failures } = splitStreak(s.reason ?? 'missed');
  return failures > 1 ? `${ordinal(failures)} failure in a row` : null;
}

/** A down alert's one-line summary (Slack, PagerDuty): when the last ping came, or what failed, and how many times in a row. */
export function downSummary(s: AlertSnapshot): string {
  const reason = downReason(s);
  const streak = failureStreak(s);
  return `${reason === 'missed' ? `no ping since ${whenFor(s, s.lastPingAt)}` : reason}${streak === null ? '' : ` (${streak})`}`;
}

/** What failed, in one sentence. */
function whatFailed(s: AlertSnapshot, reason: string): string {
  if (reason === 'missed') return `No ping arrived within its schedule (${scheduleText(s)}) plus grace (${duration(s.grace)}).`;
  if (reason === 'started but never finished') {
    return `The job signalled a start, but no end arrived within its grace (${duration(s.grace)}): it started but never finished.`;
  }
  if (reason.startsWith('ran longer than')) return `A run started and did not end within its maximum run time: it ${reason}.`;
  if (reason.startsWith('finished too fast')) return `A run ended sooner than its minimum run time allows: it ${reason}.`;
  return `The job reported a failure (${reason === 'failed' ? 'via /fail' : reason}).`;
}

/** One sentence on why a monitor went down, shared by every channel, with how many failed runs in a row it took. */
export function whyDown(s: AlertSnapshot): string {
  const streak = failureStreak(s);
  return `${whatFailed(s, downReason(s))}${streak === null ? '' : ` It is the ${streak}.`}`;
}

/**
 * The monitor's name as alerts quote it: on one line, between “ ” that nothing inside can close
 * (its own curly quotes become straight ones), so a reader can tell the user's words from ours.
 */
export const quotedName = (name: string): string => `“${displayLine(name).replace(/[“”]/g, '"')}”`;

/** An alert e-mail's subject: `[CronPeek] DOWN: monitor “Nightly DB Backup” (exit code 3)`. */
export function alertSubject(what: string, name: string, detail?: string): string {
  return `[CronPeek] ${what}: monitor ${quotedName(name)}${detail === undefined ? '' : ` (${detail})`}`;
}

/**
 * Whether a down was caused by a ping the job sent (`/fail`, an exit code, an end too soon after
 * its start), whose time is then the alert's own; else the checker found a deadline passed.
 */
export const causedByPing = (reason: string): boolean =>
  reason !== 'missed' && reason !== 'started but never finished' && !reason.startsWith('ran longer than');

/** Why a monitor went down, as the lines of an alert e-mail, with the failing run's output when it sent one. */
function downLines(s: AlertSnapshot, n: Notification): string[] {
  const reason = downReason(s);
  const what = [whyDown(s)];
  const output = s.output ? ['', 'Last lines of its output:', ...displayLines(s.output).split('\n').map((l) => `  ${l}`)] : [];
  const advice =
    reason === 'missed'
      ? ['What to do: check that the job ran, look at its logs, and make sure it still calls its ping URL', 'after a successful run. You will get another e-mail when pings resume.']
      : ['What to do: look at the job\'s logs. You will get another e-mail when it reports a success again.'];
  return [
    `Your monitor ${quotedName(s.name)} is DOWN.`,
    '',
    ...what,
    ...(causedByPing(reason)
      ? [`Failing ping: ${whenFor(s, n.createdAt)}`, `Previous ping: ${whenFor(s, s.lastPingAt)}`]
      : [`Last ping: ${whenFor(s, s.lastPingAt)}`, `Declared down: ${whenFor(s, n.createdAt)}`]),
    ...output,
    '',
    ...advice,
  ];
}

/** The alert e-mail: a subject to triage from a lock screen, then what happened and what to do. */
export function emailContent(n: Notification, publicUrl: string | null = null): EmailContent {
  const content = monitorEmailContent(n);
  const page = monitorDashboardUrl(publicUrl, n);
  if (page === null) return content;
  // The monitor's page goes just above its id, where a reader looks for what to do next.
  const lines = content.text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Monitor id: '));
  lines.splice(at < 0 ? lines.length : at, 0, `Open the monitor: ${page}`);
  return contentOf(content.subject, lines);
}

function monitorEmailContent(n: Notification): EmailContent {
  const content = eventEmailContent(n);
  const held = heldText(n.snapshot);
  if (held === null) return content;
  const [first, ...rest] = content.text.split('\n');
  return contentOf(`${content.subject} — ${held.short}`, [first, '', held.sentence, ...rest]);
}

function eventEmailContent(n: Notification): EmailContent {
  if (n.event === 'channel.test') return testEmailContent(n);
  if (n.event === 'monitor.flapping' || n.event === 'monitor.settled') return flapEmailContent(n);
  if (n.event === 'monitor.still_down') return stillDownEmailContent(n);
  const s = n.snapshot;
  const down = n.event === 'monitor.down';
  // A missed ping keeps the plain subject; a failure or a hung run says which in the subject too,
  // and a down after several failures in a row says how many.
  const why = down && s.reason && downReason(s) !== 'missed' ? s.reason : down ? (failureStreak(s) ?? undefined) : undefined;
  const subject = alertSubject(down ? 'DOWN' : 'UP', s.name, why);
  const lines = down
    ? downLines(s, n)
    : [
        `Your monitor ${quotedName(s.name)} is UP again.`,
        '',
        `A ping arrived at ${whenFor(s, n.createdAt)}; the job is reporting on schedule (${scheduleText(s)}) again.`,
        `Previous ping: ${whenFor(s, s.lastPingAt)}`,
      ];
  lines.push('', `Monitor id: ${s.monitorId}`, '-- CronPeek');
  return contentOf(subject, lines);
}

/** The webhook `reason` of alerts whose snapshot names none (rows older than reasons, and the events without one). */
const defaultReason: Record<Notification['event'], string> = {
  'monitor.down': 'missed',
  'monitor.up': 'ping',
  'monitor.flapping': 'ping',
  'monitor.settled': 'settled',
  'monitor.still_down': 'still down',
  'channel.test': 'test',
};

/**
 * Version 1 of the webhook payload; see docs/alerts.md for the contract. `monitor` shows the
 * monitor's public fields as they were right after the flip: a recovery is caused by a ping, so
 * its `lastPing` is the flip time itself.
 */
export function webhookPayload(n: Notification) {
  const s = n.snapshot;
  const lastPing = lastPingOf(n);
  return {
    version: 1,
    event: n.event,
    deliveryId: n.id,
    occurredAt: n.createdAt.toISOString(),
    // Why the monitor flipped (`missed`, `failed`, `exit code 3`, `started but never finished`,
    // `ping` for a recovery; `settled` when it stopped flapping) and, for a failure, the last
    // lines the run sent; added in version 1.
    reason: s.reason ?? defaultReason[n.event],
    output: s.output ?? null,
    // Added with reminders, on `monitor.still_down` only: which reminder, of how many, for the outage since when.
    ...(s.reminder ? { reminder: s.reminder } : {}),
    // Added with maintenance windows, on an alert that was held: `maintenance` or `snooze` when it
    // comes at the end of that quiet period, and the parent's name when it follows its recovery.
    ...(s.afterQuiet ? { afterQuiet: s.afterQuiet } : {}),
    ...(s.afterParent !== undefined ? { afterParent: s.afterParent } : {}),
    monitor: {
      monitorId: s.monitorId,
      name: s.name,
      status: reportedStatus(n),
      schedule: s.cron ?? s.schedule,
      ...(s.cron ? { tz: s.tz ?? 'UTC' } : {}),
      grace: s.grace,
      lastPing: lastPing === null ? null : lastPing.toISOString(),
    },
  };
}

/** Single quotes closed, escaped and reopened, so the value survives a shell's '…'. */
const shellQuoted = (s: string): string => s.replace(/'/g, `'\\''`);

/** The lost-key e-mail: the token as is, how long it lasts, and the one call that uses it. */
export function recoveryEmailContent(input: { email: string; token: string; expiresAt: Date; publicUrl: string }): EmailContent {
  const body = shellQuoted(JSON.stringify({ email: input.email, token: input.token }));
  const lines = [
    `Someone, hopefully you, asked to recover the API key of the CronPeek account for ${input.email}.`,
    '',
    'Your one-time recovery token:',
    '',
    input.token,
    '',
    `It works once, until ${input.expiresAt.toISOString()} (one hour). Trade it for a new API key; the old key then stops working:`,
    '',
    `curl -X POST ${input.publicUrl}/api/v1/accounts/recover/confirm -H "Content-Type: application/json" -d '${body}'`,
    '',
    'If you did not ask for this, ignore this e-mail: your current key keeps working.',
    '-- CronPeek',
  ];
  const html = lines.map((l) => (l === '' ? '<br>' : `<p style="margin:0">${escapeHtml(l)}</p>`)).join('\n');
  return { subject: 'Your CronPeek recovery token', text: lines.join('\n'), html: `<div style="font-family:sans-serif">\n${html}\n</div>` };
}

/**
 * The sign-in link e-mail. The token rides in the link's fragment (`#signin=`), which browsers do
 * not send to servers, so it stays out of access logs and `Referer` headers; the dashboard reads
 * it and trades it for a session.
 */
export function signInEmailContent(input: { email: string; token: string; expiresAt: Date; publicUrl: string }): EmailContent {
  const link = `${input.publicUrl}/dashboard.html#signin=${input.token}`;
  const lines = [
    `Someone, hopefully you, asked to sign in to the CronPeek dashboard as ${input.email}.`,
    '',
    'Open this link to sign in:',
    '',
    link,
    '',
    `It works once, until ${input.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC (15 minutes). Asking for another link makes this one stop working.`,
    '',
    'If you did not ask for this, ignore this e-mail: nobody can sign in without the link.',
    '-- CronPeek',
  ];
  const html = lines.map((l) => (l === link ? `<p style="margin:0"><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>` : l === '' ? '<br>' : `<p style="margin:0">${escapeHtml(l)}</p>`)).join('\n');
  return { subject: 'Sign in to CronPeek', text: lines.join('\n'), html: `<div style="font-family:sans-serif">\n${html}\n</div>` };
}

/** A line of an e-mail as HTML: escaped, with a trailing `Open the monitor: <url>` made a link. */
function linked(line: string): string {
  const open = /^Open the monitor: (https?:\/\/\S+)$/.exec(line);
  if (open === null) return escapeHtml(line);
  return `Open the monitor: <a href="${escapeHtml(open[1])}">${escapeHtml(open[1])}</a>`;
}

/** An e-mail made of text lines: the text as is, the HTML one paragraph per line (an empty line is a break). */
export function contentOf(subject: string, lines: string[]): EmailContent {
  const html = lines.map((l) => (l === '' ? '<br>' : `<p style="margin:0">${linked(l)}</p>`)).join('\n');
  return { subject, text: lines.join('\n'), html: `<div style="font-family:sans-serif">\n${html}\n</div>` };
}

/** An alert e-mail with, at its end, the page that stops this account's alerts to the address. */
export function withUnsubscribeLink(content: EmailContent, pageUrl: string): EmailContent {
  const href = escapeHtml(pageUrl);
  return {
    ...content,
    text: `${content.text}\n\nTo stop alerts from this account to this address: ${pageUrl}`,
    html: `${content.html}\n<p style="font-family:sans-serif;font-size:small"><a href="${href}">Stop alerts from this account to this address</a></p>`,
  };
}

/** The status an alert reports: where a flapping monitor's latest flip took it or where it settled; else its event's. */
export const reportedStatus = (n: Notification): 'up' | 'down' =>
  n.snapshot.status ?? (n.event === 'monitor.down' || n.event === 'monitor.still_down' ? 'down' : 'up');

/** The monitor's last ping right after the alert's event: the flip itself when a ping brought it up. */
export function lastPingOf(n: Notification): Date | null {
  const pingedUp = n.event === 'monitor.up' || (n.event === 'monitor.flapping' && n.snapshot.status === 'up');
  return pingedUp ? n.createdAt : n.snapshot.lastPingAt;
}

/** What flapping is, as every channel tells it. */
export const FLAPPING_TEXT = `changed status ${FLAP_LIMIT + 1} times within ${FLAP_WINDOW_MS / 60_000} minutes`;

/** When a settled monitor's status began: it settles once it has held it for SETTLE_MS. */
export const heldSince = (n: Notification): Date => new Date(n.createdAt.getTime() - SETTLE_MS);

/** The e-mail of a monitor that started flapping, or that settled after flapping. */
function flapEmailContent(n: Notification): EmailContent {
  const s = n.snapshot;
  const status = reportedStatus(n);
  const flapping = n.event === 'monitor.flapping';
  const lines = flapping
    ? [
        `Your monitor ${quotedName(s.name)} is FLAPPING: it ${FLAPPING_TEXT}, and is ${status.toUpperCase()} now.`,
        '',
        `Latest change, at ${whenFor(s, n.createdAt)}: ${status === 'down' ? whyDown(s) : 'a ping arrived.'}`,
        `Last ping: ${whenFor(s, lastPingOf(n))}`,
        '',
        `Alerts about it pause until it has held one status for ${SETTLE_MS / 60_000} minutes; one e-mail then says where it settled.`,
        'Every ping and status change is still recorded in its history.',
        '',
        "What to do: look at the job's logs and its history. A job that keeps failing and recovering looks like this,",
        'and so does a schedule or grace too tight for how long the job runs.',
      ]
    : [
        `Your monitor ${quotedName(s.name)} has stopped flapping: it has been ${status.toUpperCase()} since ${whenFor(s, heldSince(n))}.`,
        '',
        status === 'down'
          ? "It is still down: look at the job's logs. You will get another e-mail when it reports a success again."
          : `The job is reporting on schedule (${scheduleText(s)}) again.`,
        `Last ping: ${whenFor(s, s.lastPingAt)}`,
      ];
  lines.push('', `Monitor id: ${s.monitorId}`, '-- CronPeek');
  const subject = flapping ? alertSubject('FLAPPING', s.name) : alertSubject(status.toUpperCase(), s.name, 'settled after flapping');
  return contentOf(subject, lines);
}

/** A span of time as people say it, in its largest whole unit: "3 hours", "1 day", "5 minutes". */
export function elapsed(fromAt: Date, toAt: Date): string {
  const minutes = Math.max(0, Math.floor((toAt.getTime() - fromAt.getTime()) / 60_000));
  const [count, unit] = minutes >= 2_880 ? [Math.floor(minutes / 1_440), 'day'] : minutes >= 120 ? [Math.floor(minutes / 60), 'hour'] : [minutes, 'minute'];
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** Which reminder a `monitor.still_down` is and how long the outage has lasted: "reminder 2 of 5, down for 3 hours". */
export function reminderText(n: Notification): string {
  const r = n.snapshot.reminder;
  if (r === undefined) return 'still down';
  const count = r.limit === null ? `reminder ${r.number}` : `reminder ${r.number} of ${r.limit}`;
  return `${count}, down for ${elapsed(new Date(r.downSince), n.createdAt)}`;
}

/** The reminder e-mail of an outage nobody has acknowledged yet. */
function stillDownEmailContent(n: Notification): EmailContent {
  const s = n.snapshot;
  const since = s.reminder === undefined ? null : new Date(s.reminder.downSince);
  const lines = [
    `Your monitor ${quotedName(s.name)} is STILL DOWN (${reminderText(n)}).`,
    '',
    `Down since: ${whenFor(s, since)}`,
    `Last ping: ${whenFor(s, s.lastPingAt)}`,
    '',
    "What to do: look at the job's logs. To stop these reminders for this outage, acknowledge it:",
    `POST /api/v1/monitors/${s.monitorId}/acknowledge, or the Acknowledge button on the dashboard.`,
    'You will get another e-mail when it reports a success again.',
    '',
    `Monitor id: ${s.monitorId}`,
    '-- CronPeek',
  ];
  return contentOf(alertSubject('STILL DOWN', s.name, reminderText(n)), lines);
}

/** The e-mail a channel's test button sends: marked as a test in its subject and first line. */
function testEmailContent(n: Notification): EmailContent {
  const lines = [
    `${TEST_TEXT} (channel ${quotedName(n.snapshot.name)}).`,
    '',
    'If you can read this, CronPeek alerts reach this address. Nothing is down.',
    `Sent at ${when(n.createdAt)}.`,
    '',
    '-- CronPeek',
  ];
  return contentOf(`[CronPeek] TEST: channel ${quotedName(n.snapshot.name)}`, lines);
}

/** What a test alert says, on every channel. */
export const TEST_TEXT = 'This is a test alert from CronPeek';

/** How every chat-like channel heads an alert: an emoji, a title, a one-line summary and a sentence. */
export interface Headline {
  emoji: string;
  title: string;
  /** Follows the monitor's name on one line: `DOWN: Nightly backup — no ping since …`. */
  summary: string;
  /** The sentence under the title; plain text, for the channel to escape as its markup needs. */
  detail: string;
}

/**
 * Why an alert comes late, when it was held (`domain/quiet.ts`): after a maintenance window or a
 * snooze, or after the monitor it depends on recovered. Null for an alert sent when it happened.
 */
export function heldText(s: AlertSnapshot): { short: string; sentence: string } | null {
  if (s.afterQuiet === 'maintenance') return { short: 'after maintenance', sentence: 'This alert was held during a maintenance window and is sent now that the window has ended.' };
  if (s.afterQuiet === 'snooze') return { short: 'after snooze', sentence: 'This alert was held while the monitor was snoozed and is sent now that the snooze has ended.' };
  if (s.afterParent !== undefined) {
    const parent = quotedName(s.afterParent);
    return { short: `after ${parent} recovered`, sentence: `This alert was held while ${parent}, the monitor it depends on, was down; ${parent} has recovered and this one is still down.` };
  }
  return null;
}

/** The headline of an alert, the same words on every channel that posts messages; a held alert says so. */
export function headlineOf(n: Notification): Headline {
  const head = eventHeadline(n);
  const held = heldText(n.snapshot);
  return held === null ? head : { ...head, summary: `${head.summary} (${held.short})`, detail: `${head.detail} ${held.sentence}` };
}

function eventHeadline(n: Notification): Headline {
  const s = n.snapshot;
  const status = reportedStatus(n);
  switch (n.event) {
    case 'monitor.down':
      return {
        emoji: '🔴',
        title: 'DOWN',
        summary: downSummary(s),
        detail: `${whyDown(s)} ${causedByPing(downReason(s)) ? 'The failing ping arrived' : 'Declared down'} at ${whenFor(s, n.createdAt)}.`,
      };
    case 'monitor.up':
      return { emoji: '🟢', title: 'UP', summary: `pinged again at ${whenFor(s, n.createdAt)}`, detail: `A ping arrived at ${whenFor(s, n.createdAt)}; the job is reporting on schedule again.` };
    case 'monitor.flapping':
      return {
        emoji: '🟠',
        title: 'FLAPPING',
        summary: `${FLAPPING_TEXT}; ${status} now`,
        detail: `It ${FLAPPING_TEXT} and is ${status} now. Alerts about it pause until it has held one status for ${SETTLE_MS / 60_000} minutes; one message then says where it settled.`,
      };
    case 'monitor.still_down':
      return {
        emoji: '🔴',
        title: 'STILL DOWN',
        summary: reminderText(n),
        detail: `It is still down (${reminderText(n)}). Acknowledge it on the dashboard to stop the reminders for this outage.`,
      };
    case 'monitor.settled':
      return {
        emoji: status === 'up' ? '🟢' : '🔴',
        title: status.toUpperCase(),
        summary: `settled after flapping, ${status} since ${whenFor(s, heldSince(n))}`,
        detail: `It stopped flapping: it has been ${status} since ${whenFor(s, heldSince(n))}.${status === 'up' ? ' The job is reporting on schedule again.' : ''}`,
      };
    case 'channel.test':
      return { emoji: '🧪', title: 'TEST', summary: 'a test alert; nothing is down', detail: `${TEST_TEXT}, sent at ${when(n.createdAt)} to check this channel. Nothing is down.` };
  }
}

/**
 * An alert as one plain-text message for channels without richer formatting (Telegram, ntfy,
 * Pushover, Gotify…): `🔴 DOWN: “Nightly backup” — no ping since …`, then the detail, the last
 * lines of a failing run's output, and the monitor's id. `title` is the first line alone.
 */
export function plainMessage(n: Notification): { title: string; text: string } {
  const head = headlineOf(n);
  const s = n.snapshot;
  const what = n.event === 'channel.test' ? 'channel' : 'monitor';
  const title = `${head.emoji} ${head.title}: ${what} ${quotedName(s.name)} — ${head.summary}`;
  const lines = [title, '', head.detail];
  if (s.output) lines.push('', 'Last lines of its output:', displayLines(s.output));
  if (n.event !== 'channel.test') lines.push('', `Monitor id: ${s.monitorId}`);
  return { title, text: lines.join('\n') };
}

/**
 * The dashboard page of the alert's monitor (`<publicUrl>/dashboard.html#monitor/<id>`); null
 * without a public URL, and for a channel's test alert, which is about no monitor.
 */
export function monitorDashboardUrl(publicUrl: string | null, n: Notification): string | null {
  if (publicUrl === null || n.event === 'channel.test') return null;
  return `${publicUrl}/dashboard.html#monitor/${encodeURIComponent(n.snapshot.monitorId)}`;
}

/**
 * An error text with every given secret (a token, a webhook URL and its path) replaced by `…`:
 * a vendor's refusal or a network error may quote what it was sent, and errors are shown to people.
 */
export function withoutSecrets(error: string, secrets: ReadonlyArray<string | null | undefined>): string {
  return secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= 4)
    .sort((a, b) => b.length - a.length)
    .reduce((text, secret) => text.split(secret).join('…'), error);
}

/**
 * Text that a CommonMark renderer (Mattermost, Gotify) shows as written: the characters that
 * start inline markup (emphasis, code, links, HTML, entities, tables, strikethrough) are
 * backslash-escaped anywhere, and a block marker (`#`, `>`, `-`, `+`, `1.`) only at the start of
 * a line, so dates and sentences stay readable where a notification shows the raw text.
 */
export const commonMarkText = (s: string): string =>
  s.replace(/[\\`*_[\]<>|~&]/g, '\\$&').replace(/^(\s*)([#>+-]|\d+[.)])/gm, (_m, space: string, marker: string) => `${space}${marker.replace(/[#>+\-.)]/, '\\$&')}`);

/** The monitor's facts that chat channels show beside an alert, as plain text; none for a test alert. */
export function monitorFacts(n: Notification): Array<{ name: string; value: string }> {
  if (n.event === 'channel.test') return [];
  const s = n.snapshot;
  return [
    { name: 'Schedule', value: s.cron ? scheduleText(s) : `every ${duration(s.schedule)}` },
    { name: 'Grace', value: duration(s.grace) },
    { name: 'Last ping', value: whenFor(s, lastPingOf(n)) },
    { name: 'Monitor id', value: s.monitorId },
  ];
}

/** A vendor's answer as the JSON object its docs describe; null for anything else (an HTML error page, a cut answer). */
export function answerObject(body: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A vendor's answer that is not the JSON it documents, quoted on one line. */
export const answerText = (body: string): string => body.trim().replace(/\s+/g, ' ').slice(0, 200);

/**
 * What of a webhook URL is secret: the URL, its path and query, and each long part of them
 * (Discord's token, Power Automate's `sig`, Google Chat's `key` and `token`).
 */
export function urlSecrets(target: string): string[] {
  try {
    const url = new URL(target);
    const parts = [...url.pathname.split('/'), ...[...url.searchParams.values()]].filter((p) => p.length >= 16);
    return [target, `${url.pathname}${url.search}`, ...parts];
  } catch {
    return [target];
  }
}

/**
 * A channel object's settings that a notifier reads: each `required` field a non-empty string
 * (else null: the channel has no usable settings), each `optional` one a string or absent.
 */
export function settingsOf<R extends string, O extends string = never>(
  config: Readonly<Record<string, unknown>> | undefined,
  required: readonly R[],
  optional: readonly O[] = [],
): (Record<R, string> & Partial<Record<O, string>>) | null {
  if (config === undefined) return null;
  const settings: Record<string, string> = {};
  for (const field of required) {
    const value = config[field];
    if (typeof value !== 'string' || value === '') return null;
    settings[field] = value;
  }
  for (const field of optional) {
    const value = config[field];
    if (typeof value === 'string' && value !== '') settings[field] = value;
  }
  return settings as Record<R, string> & Partial<Record<O, string>>;
}

/** A delivery's result with `withoutSecrets` applied to its error, if it has one. */
export function resultWithoutSecrets(result: SendResult, secrets: ReadonlyArray<string | null | undefined>): SendResult {
  return result.outcome === 'retry' || result.outcome === 'failed' ? { ...result, error: withoutSecrets(result.error, secrets) } : result;
}
