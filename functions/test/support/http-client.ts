import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import type { Store } from '../../src/store/port';

/**
 * The one HTTP client the HTTP suites share: the calls a test makes to set the scene (sign up,
 * create a monitor) assert their success and answer typed values; the calls a test is about
 * answer supertest's request, so the test states the status and body it expects.
 */

/** What POST /monitors answers (201). */
export interface CreatedMonitor {
  monitorId: string;
  name: string;
  pingUrl: string;
  schedule: number | string;
  /** Cron schedules only. */
  tz?: string;
  grace: number;
  status: string;
  /** Only when the monitor has a webhook: shown once. */
  webhookSecret?: string;
  /** Its slug (issue 22); null when it has none. */
  slug?: string | null;
}

/** The monitor a test gets unless it says otherwise. */
const DEFAULT_MONITOR = { name: 'Nightly DB Backup', schedule: 3600 };

let emailsHandedOut = 0;

/** An e-mail address no other account in the run has. */
export function freshEmail(): string {
  return `user${++emailsHandedOut}-${randomBytes(4).toString('hex')}@example.com`;
}

/** The path of a ping URL, or of one of its signals, to request from the app under test. */
export function pingPath(pingUrl: string, signal?: string): string {
  const path = new URL(pingUrl).pathname;
  return signal === undefined ? path : `${path}/${signal}`;
}

export class ApiClient {
  private readonly monitorDefaults: Record<string, unknown>;

  /**
   * `app` is an Express app, a Node server or a base URL; `monitorDefaults` change the body
   * `createMonitor` sends by default (a suite whose figures assume a daily schedule says so once).
   */
  constructor(
    private readonly app: App,
    monitorDefaults: Record<string, unknown> = {},
  ) {
    this.monitorDefaults = { ...DEFAULT_MONITOR, ...monitorDefaults };
  }

  /** POST /accounts, not yet sent: a test may add headers and expects the status itself. */
  signupRequest(email: string = freshEmail()): request.Test {
    return request(this.app).post('/api/v1/accounts').send({ email });
  }

  /** A new account's API key. */
  async signup(email: string = freshEmail()): Promise<string> {
    const res = await this.signupRequest(email).expect(201);
    return res.body.apiKey as string;
  }

  /** POST /monitors with the default monitor overridden by `body`, not yet sent. */
  createMonitorRequest(key: string, body: Record<string, unknown> = {}): request.Test {
    return request(this.app).post('/api/v1/monitors').set('x-api-key', key).send({ ...this.monitorDefaults, ...body });
  }

  async createMonitor(key: string, body: Record<string, unknown> = {}): Promise<CreatedMonitor> {
    const res = await this.createMonitorRequest(key, body).expect(201);
    return res.body as CreatedMonitor;
  }

  listMonitors(key: string): request.Test {
    return request(this.app).get('/api/v1/monitors').set('x-api-key', key);
  }

  /** GET a ping URL (or a signal such as `start`, `fail`, `3`); with a body, POST it as the job's output. */
  ping(pingUrl: string, options: { signal?: string; body?: string } = {}): request.Test {
    const path = pingPath(pingUrl, options.signal);
    return options.body === undefined ? request(this.app).get(path) : request(this.app).post(path).send(options.body);
  }

  monitor(key: string, id: string): request.Test {
    return request(this.app).get(`/api/v1/monitors/${id}`).set('x-api-key', key);
  }

  status(key: string, id: string): request.Test {
    return request(this.app).get(`/api/v1/monitors/${id}/status`).set('x-api-key', key);
  }

  /** PATCH /monitors/:id; `body` may be anything, so tests can send what the API must refuse. */
  editMonitor(key: string, id: string, body: unknown): request.Test {
    return request(this.app).patch(`/api/v1/monitors/${id}`).set('x-api-key', key).set('Content-Type', 'application/json').send(body as object);
  }

  /** POST /monitors/:id/pause, with no body unless one is given. */
  pause(key: string, id: string, body?: unknown): request.Test {
    const req = request(this.app).post(`/api/v1/monitors/${id}/pause`).set('x-api-key', key);
    return body === undefined ? req : req.set('Content-Type', 'application/json').send(body as object);
  }

  resume(key: string, id: string): request.Test {
    return request(this.app).post(`/api/v1/monitors/${id}/resume`).set('x-api-key', key);
  }

  acknowledge(key: string, id: string): request.Test {
    return request(this.app).post(`/api/v1/monitors/${id}/acknowledge`).set('x-api-key', key);
  }

  /** GET /monitors/:id/pings; `query` is the query string with its `?`. */
  pings(key: string, id: string, query = ''): request.Test {
    return request(this.app).get(`/api/v1/monitors/${id}/pings${query}`).set('x-api-key', key);
  }

  /** GET /monitors/:id/flips; `query` is the query string with its `?`. */
  flips(key: string, id: string, query = ''): request.Test {
    return request(this.app).get(`/api/v1/monitors/${id}/flips${query}`).set('x-api-key', key);
  }
}

/** A new account moved to Pro through the store: its key and id. */
export async function signupPro(api: ApiClient, store: Pick<Store, 'findAccountByEmail' | 'setAccountPlan'>): Promise<{ key: string; accountId: string }> {
  const email = freshEmail();
  const key = await api.signup(email);
  const account = await store.findAccountByEmail(email);
  if (account === null) throw new Error(`no account for ${email}`);
  await store.setAccountPlan(account.id, 'pro');
  return { key, accountId: account.id };
}
