import { checkTarget } from './post';

/** What a user-given URL must satisfy, beyond being http(s). */
export interface TargetRules {
  /** Private, loopback and link-local targets are allowed (self-hosting only). */
  allowPrivate: boolean;
  /** The only hosts it may name (Slack's `hooks.slack.com`); absent: any host. */
  hosts?: readonly string[];
}

/**
 * Host names that only ever mean a machine on the sender's own network: refused at creation
 * like private IP literals, since they could never be a public target.
 */
const LOCAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa)$/i;

/**
 * Why a user-given URL (a webhook, a chat server, a homeserver) cannot be a target, or null when
 * it can. Judged when the setting is saved, so a mistake is a clear 400 rather than an alert that
 * fails later: not http(s), an IP literal in a private range, a local-only name, or a host
 * outside `hosts`. A public name that resolves to a private address cannot be told here; it is
 * refused at send time, when the address is resolved, and the delivery log says so.
 */
export function targetProblem(target: string, rules: TargetRules): string | null {
  const checked = checkTarget(target, rules.allowPrivate);
  if ('error' in checked) return checked.error.replace(/^URL /, '');
  const { url } = checked;
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (rules.hosts !== undefined && !rules.hosts.includes(host)) return `must be on ${rules.hosts.join(' or ')}`;
  if (!rules.allowPrivate && LOCAL_NAME.test(host)) return `refused: ${host} is a local network name`;
  return null;
}
