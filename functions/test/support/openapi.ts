import fs from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { REPO_DIR } from '../../src/config';

/**
 * public/openapi.json as the tests read it: which operation a real answer belongs to, and
 * whether the answer is what that operation documents (status, content type, headers, body).
 */
export const SPEC_PATH = path.join(REPO_DIR, 'public', 'openapi.json');

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type Method = (typeof METHODS)[number];

export interface Schema {
  [key: string]: unknown;
}
interface Reference {
  $ref: string;
}
export interface HeaderObject {
  description?: string;
  schema: Schema;
}
export interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
export interface ResponseObject {
  description: string;
  headers?: Record<string, HeaderObject | Reference>;
  content?: Record<string, MediaType>;
}
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
export interface Operation {
  operationId: string;
  parameters?: Array<Parameter | Reference>;
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject | Reference>;
  security?: Array<Record<string, string[]>>;
}
export type PathItem = Partial<Record<Method, Operation>> & { parameters?: Array<Parameter | Reference>; description?: string };
export interface Spec {
  openapi: string;
  info: Record<string, unknown>;
  servers: Array<{ url: string; description?: string }>;
  security: Array<Record<string, string[]>>;
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, ResponseObject>;
    parameters: Record<string, Parameter>;
    headers: Record<string, HeaderObject>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

export function loadSpec(): Spec {
  return JSON.parse(fs.readFileSync(SPEC_PATH, 'utf8')) as Spec;
}

const isRef = (x: unknown): x is Reference => typeof x === 'object' && x !== null && typeof (x as Reference).$ref === 'string';

/** Follows a local `#/components/...` reference (and a reference to a reference). */
export function resolve<T>(spec: Spec, x: T | Reference): T {
  let value: unknown = x;
  for (let hops = 0; isRef(value); hops++) {
    if (hops > 10 || !value.$ref.startsWith('#/')) throw new Error(`unresolvable reference ${value.$ref}`);
    value = value.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
    if (value === undefined) throw new Error(`reference ${(x as Reference).$ref} points nowhere`);
  }
  return value as T;
}

/** The operations of a path item, without the path-level fields. */
export function operationsOf(item: PathItem): Array<[Method, Operation]> {
  return METHODS.filter((m) => item[m] !== undefined).map((m) => [m, item[m] as Operation]);
}

/** `/api/v1/monitors/{id}` → a regex over a raw (still percent-encoded) request path. Express matches without case and with a trailing slash. */
function templateRegex(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`, 'i');
}

/**
 * Response schemas as the tests apply them: every object may carry only the properties the
 * description lists. The published description leaves objects open, so that clients generated
 * from it accept fields added later; the tests hold the app to exactly what is documented.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'examples' || k === 'example' || k === 'const' || k === 'enum' ? v : closed(v);
  if (out.properties !== undefined && out.additionalProperties === undefined && out.unevaluatedProperties === undefined) out.additionalProperties = false;
  return out;
}

/** OpenAPI's own keywords in a schema, which JSON Schema does not define; Ajv must know them to stay strict. */
const OPENAPI_KEYWORDS = ['example', 'discriminator', 'xml', 'externalDocs'];
/** The wrapper that holds the description's schemas for Ajv, so that `#/components/schemas/...` resolves. */
const HOLDER_KEYWORDS = ['components'];

export function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictTuples: false });
  addFormats(ajv);
  ajv.addVocabulary([...OPENAPI_KEYWORDS, ...HOLDER_KEYWORDS]);
  return ajv;
}

/** One answer the API gave, as a client saw it. */
export interface Answer {
  method: string;
  /** The request path as sent, with its query string; percent-escapes left as they are. */
  url: string;
  status: number;
  headers: Record<string, string | undefined>;
  /** The body as text; empty when there was none. */
  body: string;
}

export interface Located {
  specPath: string;
  method: Method;
  operation: Operation | undefined;
}

export class SpecChecker {
  readonly spec: Spec;
  private readonly ajv = newAjv();
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly templates: Array<{ specPath: string; regex: RegExp; literal: boolean }>;
  private static readonly OPEN_ID = 'https://cronpeek.invalid/openapi.json';
  private static readonly CLOSED_ID = 'https://cronpeek.invalid/openapi.closed.json';

  constructor(spec: Spec = loadSpec()) {
    this.spec = spec;
    this.ajv.addSchema({ $id: SpecChecker.OPEN_ID, components: { schemas: spec.components.schemas } });
    this.ajv.addSchema({ $id: SpecChecker.CLOSED_ID, components: { schemas: closed(spec.components.schemas) } });
    // Literal paths first, so `/accounts/recover` is never read as a template's parameter.
    this.templates = Object.keys(spec.paths)
      .map((specPath) => ({ specPath, regex: templateRegex(specPath), literal: !specPath.includes('{') }))
      .sort((a, b) => Number(b.literal) - Number(a.literal));
  }

  /** A validator for a schema of the description; `strict` closes every object to its documented properties. */
  validator(schema: unknown, strict: boolean): ValidateFunction {
    const id = strict ? SpecChecker.CLOSED_ID : SpecChecker.OPEN_ID;
    const text = JSON.stringify(strict ? closed(schema) : schema).replace(/"#\/components\//g, `"${id}#/components/`);
    let validate = this.cache.get(text);
    if (!validate) {
      validate = this.ajv.compile(JSON.parse(text));
      this.cache.set(text, validate);
    }
    return validate;
  }

  /**
   * The spec path a request path belongs to. The app answers the same routes at the function's own
   * URL without `/api` (`/v1/...`, `/health`), so those are read as their `/api` twins; the public
   * status pages (`/status/...`) are described at their own paths.
   */
  locate(method: string, url: string): Located | null {
    let p = url.split('?')[0];
    // The public status pages live outside the API, at `/status/...`, and are described there.
    if (!/^\/(api|status)(\/|$)/i.test(p)) p = `/api${p}`;
    const hit = this.templates.find((t) => t.regex.test(p));
    if (!hit) return null;
    const m = method.toLowerCase() as Method;
    return { specPath: hit.specPath, method: m, operation: this.spec.paths[hit.specPath][m] };
  }

  /** The methods a path documents, as an `Allow` header would name them (OPTIONS aside: it is the CORS preflight). */
  allowedMethods(specPath: string): string[] {
    return operationsOf(this.spec.paths[specPath])
      .map(([m]) => m.toUpperCase())
      .filter((m) => m !== 'OPTIONS');
  }

  /** Is this request path in the API's part of the URL space (rather than a static page)? */
  static isApiPath(url: string): boolean {
    return /^\/(api|v1|health)(\/|$|\?)/i.test(url);
  }

  /**
   * Everything wrong with one answer, measured against the description; empty when it is exactly
   * what the operation documents. `null` when the answer is not the API's (a static file).
   */
  problemsOf(answer: Answer): string[] | null {
    const label = `${answer.method} ${answer.url.length > 120 ? `${answer.url.slice(0, 120)}…` : answer.url} → ${answer.status}`;
    const where = this.locate(answer.method, answer.url);
    if (!where) {
      // Pages are not the API's: a page, the site's 404 page for a browser (as Hosting serves
      // 404.html), and a public page's own refusals (a status page: 405 for a write, 429 past its limit).
      const page404 = answer.status === 404 && (answer.headers['content-type'] ?? '').startsWith('text/html');
      if (!SpecChecker.isApiPath(answer.url) && (answer.status < 400 || page404 || answer.status === 405 || answer.status === 429)) return null;
      // Any other path is "no route": a 404 JSON error (or 400 when even the URL is malformed).
      if (answer.status !== 404 && answer.status !== 400) return [`${label}: a path the description does not have answered ${answer.status}`];
      return this.checkResponse(label, answer, resolve(this.spec, this.spec.components.responses.NoRoute));
    }
    if (!where.operation) {
      // HEAD is GET without the body (HTTP says so, and Express does it for every GET route).
      const get = where.method === 'head' ? this.spec.paths[where.specPath].get : undefined;
      if (get) return this.checkOperation(label, answer, get, where);
      const allowed = this.allowedMethods(where.specPath);
      if (answer.status === 400) return this.checkResponse(label, answer, resolve(this.spec, this.spec.components.responses.BadRequest));
      if (answer.status !== 405) return [`${label}: ${answer.method} is not documented for ${where.specPath} (${allowed.join(', ')}), yet it answered ${answer.status}`];
      const problems = this.checkResponse(label, answer, resolve(this.spec, this.spec.components.responses.MethodNotAllowed));
      const allow = (answer.headers.allow ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if ([...allow].sort().join() !== [...allowed].sort().join()) {
        problems.push(`${label}: Allow says "${allow.join(', ')}", the description documents ${allowed.join(', ')} for ${where.specPath}`);
      }
      return problems;
    }
    return this.checkOperation(label, answer, where.operation, where);
  }

  private checkOperation(label: string, answer: Answer, operation: Operation, where: Located): string[] {
    const documented = operation.responses[String(answer.status)];
    if (!documented) {
      return [`${label}: status ${answer.status} is not documented for ${where.method.toUpperCase()} ${where.specPath} (${Object.keys(operation.responses).join(', ')})`];
    }
    return this.checkResponse(label, answer, resolve(this.spec, documented));
  }

  private checkResponse(label: string, answer: Answer, response: ResponseObject): string[] {
    const problems: string[] = [];
    for (const [name, h] of Object.entries(response.headers ?? {})) {
      const header = resolve(this.spec, h);
      const raw = answer.headers[name.toLowerCase()];
      if (raw === undefined) {
        problems.push(`${label}: header ${name} is documented but missing`);
        continue;
      }
      const value = header.schema.type === 'integer' && /^\d+$/.test(raw) ? Number(raw) : raw;
      const validate = this.validator(header.schema, false);
      if (!validate(value)) problems.push(`${label}: header ${name}: ${JSON.stringify(raw)} ${this.ajv.errorsText(validate.errors)}`);
    }
    // A HEAD answer never has a body, whatever its status; nor does a 204 or 304.
    if (answer.method.toUpperCase() === 'HEAD' || answer.status === 204 || answer.status === 304) {
      if (answer.body !== '') problems.push(`${label}: a body where none can be`);
      return problems;
    }
    const content = response.content;
    if (!content) {
      if (answer.body !== '') problems.push(`${label}: a body where the description documents none`);
      return problems;
    }
    const type = (answer.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const media = content[type];
    if (!media) {
      problems.push(`${label}: content type "${type}" is not documented (${Object.keys(content).join(', ')})`);
      return problems;
    }
    if (!media.schema) return problems;
    let body: unknown = answer.body;
    if (type === 'application/json') {
      try {
        body = JSON.parse(answer.body);
      } catch {
        problems.push(`${label}: the body is not JSON: ${answer.body.slice(0, 200)}`);
        return problems;
      }
    }
    const validate = this.validator(media.schema, true);
    if (!validate(body)) problems.push(`${label}: ${this.ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 400)}`);
    return problems;
  }
}

let shared: SpecChecker | null = null;
/** One checker per test file: the description is read and its schemas compiled once. */
export function specChecker(): SpecChecker {
  shared ??= new SpecChecker();
  return shared;
}
