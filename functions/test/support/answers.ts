import http from 'node:http';
import express from 'express';
import { type Answer, specChecker } from './openapi';

/**
 * Runs in every test file (jest `setupFilesAfterEnv`): each answer the Express app gives, in any
 * test, is recorded as it is sent, and after each test every recorded answer must be what
 * public/openapi.json documents for its operation: a documented status, content type, headers and
 * body. So every HTTP test in the suite is also a contract test of the description, and a route,
 * status or field added without documenting it fails the tests that exercise it.
 *
 * Express's response prototype is per test file (jest loads modules per file), so patching it
 * here reaches exactly the apps this file's tests create, including the embedded server when a
 * test starts it in-process.
 */
const recorded: Answer[] = [];

type Res = express.Response & { req: express.Request };
const proto = express.response as unknown as { end: (...args: unknown[]) => unknown };
const end = proto.end;
proto.end = function recordingEnd(this: Res, ...args: unknown[]) {
  try {
    const chunk = args[0];
    const body = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(this.getHeaders())) headers[name] = Array.isArray(value) ? value.join(', ') : value === undefined ? undefined : String(value);
    recorded.push({ method: this.req.method, url: this.req.originalUrl ?? this.req.url, status: this.statusCode, headers, body });
  } catch {
    // A response object that is not a real one (a test double) is not the API's answer to check.
  }
  return end.apply(this, args);
};

/**
 * The embedded server answers GET and HEAD pings on a fast path in front of Express
 * (src/http/ping.ts), on a plain Node response: those answers are recorded here too. Express's own
 * responses are not recorded twice: the patch above captured Node's `end` before this one.
 * Only ping URLs are recorded, so the stand-in servers tests run (webhook targets, SendGrid) are not.
 */
const nodeEnd = http.ServerResponse.prototype.end;
http.ServerResponse.prototype.end = function recordingFastPathEnd(this: http.ServerResponse, ...args: unknown[]) {
  try {
    const url = this.req?.url ?? '';
    if (/^(?:\/api)?\/v1\/ping\//.test(url)) {
      const chunk = args[0];
      const body = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(this.getHeaders())) headers[name] = Array.isArray(value) ? value.join(', ') : value === undefined ? undefined : String(value);
      recorded.push({ method: this.req.method ?? 'GET', url, status: this.statusCode, headers, body });
    }
  } catch {
    // Not an answer to check.
  }
  return (nodeEnd as (...a: unknown[]) => http.ServerResponse).apply(this, args);
} as typeof nodeEnd;

/** The answers recorded so far that the description does not document, as readable lines. */
export function undocumentedAnswers(): string[] {
  const answers = recorded.splice(0);
  if (answers.length === 0) return [];
  const checker = specChecker();
  return answers.flatMap((a) => checker.problemsOf(a) ?? []);
}

function check() {
  const problems = undocumentedAnswers();
  if (problems.length > 0) {
    throw new Error(`The app answered in ways public/openapi.json does not document:\n${problems.slice(0, 20).join('\n')}${problems.length > 20 ? `\n… and ${problems.length - 20} more` : ''}`);
  }
}

afterEach(check);
afterAll(check);
