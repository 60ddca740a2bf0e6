import { z } from 'zod';
import { AppError, ErrorCode } from '../domain/errors';
import { EXPORT_VERSION, fromHealthchecks, type ImportCandidate } from '../domain/import-formats';
import { MAX_PARENTS } from '../domain/quiet';
import type { ChannelSelection, MonitorInput } from '../services/monitors';
import type { ImportDocument, ImportEntry } from '../services/transfer';
import { parseBody } from './errors';
import { createMonitorBody, MAX_MONITOR_CHANNELS, MONITOR_FIELDS } from './schemas';

/**
 * The body of `POST /api/v1/import`: CronPeek's export (`{"version": 1, "monitors": [...]}`) or
 * Healthchecks' check list (`{"checks": [...]}`). The document as a whole is a 400 when it is
 * neither; each monitor in it is validated as a create body on its own, so one that is not
 * valid is reported as skipped with its reason and the others still import.
 */

/** Monitors one import may hold at most (its body is capped at IMPORT_BODY_LIMIT too). */
export const MAX_IMPORT = 1000;

const SHAPE = `Send a CronPeek export ({"version": ${EXPORT_VERSION}, "monitors": [...]}) or Healthchecks' check list ({"checks": [...]})`;

const monitorList = (field: string) => z.array(z.unknown(), { error: `${field} must be a list` }).max(MAX_IMPORT, { error: `${field} may hold at most ${MAX_IMPORT} monitors` });

const exportDocument = z.object({
  version: z.literal(EXPORT_VERSION, { error: `version must be ${EXPORT_VERSION} (the only version of the export there is)` }),
  monitors: monitorList('monitors'),
  // Read for the kind and name its monitors' channel ids stand for; nothing else of it is imported.
  channels: z
    .array(z.object({ channelId: z.string(), kind: z.string(), name: z.string() }), { error: 'channels must list channel objects as the export writes them' })
    .max(1000, { error: 'channels may hold at most 1000 channel objects' })
    .optional(),
});

const healthchecksDocument = z.object({ checks: monitorList('checks') });

/** `?dryRun=1` (or true): answer the report without changing anything. */
export const importQuery = z.object({
  dryRun: z
    .string({ error: 'dryRun must be given once' })
    .pipe(z.enum(['1', '0', 'true', 'false'], { error: 'dryRun must be 1 or 0' }))
    .transform((v) => v === '1' || v === 'true')
    .optional(),
});

/** References an import resolves against the account (`services/transfer.ts`), read here only for their shape. */
const references = z.object({
  dependsOn: z
    .array(z.string({ error: 'dependsOn must list slugs or monitor ids' }).max(100), { error: `dependsOn must be a list of at most ${MAX_PARENTS} slugs or monitor ids` })
    .max(MAX_PARENTS, { error: `dependsOn must be a list of at most ${MAX_PARENTS} slugs or monitor ids` })
    .nullable()
    .optional(),
  channels: z
    .union([z.literal('*'), z.array(z.string().max(100)).max(MAX_MONITOR_CHANNELS)], { error: `channels must be "*" or a list of at most ${MAX_MONITOR_CHANNELS} channel ids` })
    .optional(),
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** An export's monitor is a create body already; a field a create body does not have is named, not silently dropped. */
function fromExport(monitor: Record<string, unknown>): ImportCandidate {
  return { body: monitor, unmapped: Object.keys(monitor).filter((f) => !MONITOR_FIELDS.includes(f)), notes: [] };
}

/** The first problem of a monitor's body, worded as a create's 400 is (without its full stop). */
function problemOf(body: Record<string, unknown>, schema: z.ZodType): string | null {
  try {
    parseBody(schema, body);
    return null;
  } catch (err) {
    if (err instanceof AppError) return err.message.replace(/\.$/, '');
    throw err;
  }
}

/** One monitor of the document, validated as a create body (its references apart). */
function entryOf(item: unknown, map: (m: Record<string, unknown>) => ImportCandidate): ImportEntry {
  if (!isObject(item)) return { name: null, slug: null, input: null, problem: 'each monitor must be a JSON object', unmapped: [], notes: [] };
  const { body, unmapped, notes } = map(item);
  const { dependsOn, channels, ...rest } = body;
  const report = { name: text(body.name), slug: text(body.slug) || null, unmapped, notes };
  const problem = problemOf(rest, createMonitorBody) ?? problemOf({ dependsOn, channels }, references);
  if (problem !== null) return { ...report, input: null, problem };
  const refs = references.parse({ dependsOn, channels });
  const input = createMonitorBody.parse(rest) as MonitorInput;
  return { ...report, input, problem: null, ...(refs.dependsOn !== undefined ? { dependsOn: refs.dependsOn } : {}), ...(refs.channels !== undefined ? { channels: refs.channels as ChannelSelection } : {}) };
}

/** The import body, read: a 400 for a document that is neither format, the monitors in it each checked on its own. */
export function parseImport(body: unknown): ImportDocument {
  if (!isObject(body)) throw new AppError(ErrorCode.BadRequest, `${SHAPE}.`);
  if ('checks' in body && !('version' in body)) {
    const { checks } = parseBody(healthchecksDocument, body);
    return { entries: checks.map((c) => entryOf(c, fromHealthchecks)), channels: [] };
  }
  if (!('version' in body)) throw new AppError(ErrorCode.BadRequest, `${SHAPE}.`);
  const doc = parseBody(exportDocument, body);
  return { entries: doc.monitors.map((m) => entryOf(m, fromExport)), channels: doc.channels ?? [] };
}
