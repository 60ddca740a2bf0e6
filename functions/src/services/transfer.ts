import { AppError, ErrorCode } from '../domain/errors';
import { EXPORT_VERSION, exportedChannel, exportedMonitor, importOrder, type ExportedMonitor } from '../domain/import-formats';
import { PLANS, planLimitMessage } from '../domain/plans';
import { validateTiming } from '../domain/schedule';
import { checkPlanAllows } from '../domain/settings';
import type { Account, AlertChannel, Monitor } from '../domain/types';
import type { Deps } from './context';
import { changesOf } from './fleet';
import { createMonitor, editMonitor, type ChannelSelection, type MonitorInput } from './monitors';

/**
 * Export and import (issue 22): the account's monitors as create bodies and its channel objects
 * (`GET /api/v1/export`), and such a document, or Healthchecks' check list, brought back
 * (`POST /api/v1/import`), idempotent by slug: what is there already is brought in line with
 * the upsert's own rules (`changesOf`), so importing the same document twice changes nothing.
 */

export interface ExportDocument {
  version: number;
  exportedAt: string;
  monitors: ExportedMonitor[];
  channels: Array<ReturnType<typeof exportedChannel>>;
}

/** The account's monitors, oldest first (an import creates them in that order), and its channel objects. */
export async function exportAccount(deps: Pick<Deps, 'store' | 'clock'>, account: Account): Promise<ExportDocument> {
  const monitors = [...(await deps.store.listMonitors(account.id))].reverse().sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const refs = new Map(monitors.map((m) => [m.id, m.slug ?? m.id]));
  const channels = await deps.store.listChannels(account.id);
  return {
    version: EXPORT_VERSION,
    exportedAt: deps.clock().toISOString(),
    monitors: monitors.map((m) => exportedMonitor(m, account.email, (id) => refs.get(id) ?? id)),
    channels: channels.map(exportedChannel),
  };
}

/** One monitor of an import, as the route read it. */
export interface ImportEntry {
  /** As the document gives them, for the report. */
  name: string | null;
  slug: string | null;
  /** The validated create body without `dependsOn` and `channels`; null when it could not be read (`problem` says why). */
  input: MonitorInput | null;
  problem: string | null;
  /** Parents by slug or by id of this account. */
  dependsOn?: string[] | null;
  /** Channel objects by id: this account's, or the document's (matched here by kind and name). */
  channels?: ChannelSelection;
  unmapped: string[];
  notes: string[];
}

export interface ImportDocument {
  entries: ImportEntry[];
  /** The channel objects the document lists (an export's), by which its monitors name theirs. */
  channels: ReadonlyArray<{ channelId: string; kind: string; name: string }>;
}

export type ImportResultKind = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface ImportResult {
  name: string | null;
  slug: string | null;
  result: ImportResultKind;
  reason?: string;
  unmapped?: string[];
}

export interface ImportReport {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  monitors: ImportResult[];
}

/** What one import knows as it goes: the account's monitors and channels read once, and what it has done. */
interface ImportRun {
  deps: Deps;
  account: Account;
  dryRun: boolean;
  document: ImportDocument;
  /** The account's monitors before the import: names match only these. */
  existing: Monitor[];
  channels: AlertChannel[];
  /** Slug → monitor id, for `dependsOn`; a monitor a dry run would create has a made-up id. */
  slugIds: Map<string, string>;
  ids: Set<string>;
  /** Slugs given by earlier entries, and existing monitors already matched by one. */
  seenSlugs: Set<string>;
  matched: Set<string>;
  monitorCount: number;
}

/** Imports the document's monitors; with `dryRun`, changes nothing and answers what it would do. */
export async function importMonitors(deps: Deps, account: Account, document: ImportDocument, options: { dryRun: boolean }): Promise<ImportReport> {
  const existing = await deps.store.listMonitors(account.id);
  const run: ImportRun = {
    deps,
    account,
    dryRun: options.dryRun,
    document,
    existing,
    channels: await deps.store.listChannels(account.id),
    slugIds: new Map(existing.flatMap((m) => (m.slug ? [[m.slug, m.id] as [string, string]] : []))),
    ids: new Set(existing.map((m) => m.id)),
    seenSlugs: new Set(),
    matched: new Set(),
    monitorCount: existing.length,
  };
  const results: ImportResult[] = new Array(document.entries.length);
  const order = importOrder(document.entries.map((e) => ({ slug: e.slug, dependsOn: e.dependsOn ?? [] })));
  // One at a time: each may create a parent the next refers to, and the plan limit counts them in order.
  for (const i of order) results[i] = await importOne(run, document.entries[i]);
  const count = (kind: ImportResultKind) => results.filter((r) => r.result === kind).length;
  return { dryRun: options.dryRun, created: count('created'), updated: count('updated'), unchanged: count('unchanged'), skipped: count('skipped'), monitors: results };
}

function resultOf(entry: ImportEntry, result: ImportResultKind, reason: string | null, unmapped: readonly string[]): ImportResult {
  return {
    name: entry.name,
    slug: entry.slug,
    result,
    ...(reason !== null && reason !== '' ? { reason } : {}),
    ...(unmapped.length > 0 ? { unmapped: [...new Set(unmapped)] } : {}),
  };
}

/** One entry: skipped with its reason when it cannot be imported (a refusal of this monitor is not a failure of the import). */
async function importOne(run: ImportRun, entry: ImportEntry): Promise<ImportResult> {
  if (entry.input === null) return resultOf(entry, 'skipped', entry.problem, entry.unmapped);
  if (entry.slug !== null && run.seenSlugs.has(entry.slug)) {
    return resultOf(entry, 'skipped', `slug ${entry.slug} is given to an earlier monitor of this import`, entry.unmapped);
  }
  if (entry.slug !== null) run.seenSlugs.add(entry.slug);
  const { input, unmapped, notes } = withReferences(run, entry, entry.input);
  try {
    const target = matchOf(run, entry.slug, input.name);
    const result = target === null ? await createOne(run, input) : await updateOne(run, target, input);
    return resultOf(entry, result, notes.join('; '), unmapped);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return resultOf(entry, 'skipped', err.message.replace(/\.$/, ''), unmapped);
  }
}

/** The existing monitor an entry is about: the one with its slug, or without one, the only unslugged monitor with its name. */
function matchOf(run: ImportRun, slug: string | null, name: string): Monitor | null {
  const candidates = slug !== null ? run.existing.filter((m) => m.slug === slug) : run.existing.filter((m) => !m.slug && m.name === name && !run.matched.has(m.id));
  if (candidates.length !== 1) return null;
  run.matched.add(candidates[0].id);
  return candidates[0];
}

/**
 * The entry's create body with its parents and channels resolved to this account's ids. One that
 * resolves to nothing is left out and named (`dependsOn`, `channels` in `unmapped`), the rest kept.
 */
function withReferences(run: ImportRun, entry: ImportEntry, input: MonitorInput): { input: MonitorInput; unmapped: string[]; notes: string[] } {
  const unmapped = [...entry.unmapped];
  const notes = [...entry.notes];
  const resolved: MonitorInput = { ...input };
  if (entry.dependsOn !== undefined) {
    const ids = (entry.dependsOn ?? []).map((ref) => (run.ids.has(ref) ? ref : run.slugIds.get(ref)));
    const missing = (entry.dependsOn ?? []).filter((_ref, i) => ids[i] === undefined);
    resolved.dependsOn = entry.dependsOn === null ? null : ids.filter((id): id is string => id !== undefined);
    if (missing.length > 0) {
      unmapped.push('dependsOn');
      notes.push(`dependsOn: no monitor of this account has the slug or id ${missing.join(', ')}`);
    }
  }
  if (entry.channels !== undefined) {
    const { ids, missing } = channelIds(run, entry.channels);
    resolved.channels = ids;
    if (missing.length > 0) {
      unmapped.push('channels');
      notes.push(`channels: this account has no channel object matching ${missing.join(', ')} (matched by id, or by the kind and name the document lists)`);
    }
  }
  return { input: resolved, unmapped, notes };
}

/** Channel ids of this account for those the entry names: its own ids, or the document's channels matched by kind and name (exactly one). */
function channelIds(run: ImportRun, selection: ChannelSelection): { ids: ChannelSelection; missing: string[] } {
  if (selection === '*') return { ids: '*', missing: [] };
  const ids: string[] = [];
  const missing: string[] = [];
  for (const id of selection) {
    const listed = run.document.channels.find((c) => c.channelId === id);
    const matches = run.channels.filter((c) => c.id === id || (listed !== undefined && c.kind === listed.kind && c.name === listed.name));
    const own = matches.find((c) => c.id === id) ?? (matches.length === 1 ? matches[0] : undefined);
    if (own === undefined) missing.push(id);
    else if (!ids.includes(own.id)) ids.push(own.id);
  }
  return { ids, missing };
}

/** Creates the monitor (a dry run checks what creation would refuse without the store: plan limit, plan rules, schedule). */
async function createOne(run: ImportRun, input: MonitorInput): Promise<ImportResultKind> {
  const { deps, account } = run;
  const plan = PLANS[account.plan];
  if (run.dryRun) {
    if (plan.maxMonitors !== null && run.monitorCount >= plan.maxMonitors) throw new AppError(ErrorCode.PlanLimit, planLimitMessage(plan));
    checkPlanAllows(plan, input);
    validateTiming(input.schedule, input.tz ?? undefined, deps.clock());
    run.monitorCount += 1;
    if (input.slug) run.slugIds.set(input.slug, `planned:${input.slug}`);
    return 'created';
  }
  const monitor = await createMonitor(deps, account, input);
  run.monitorCount += 1;
  run.ids.add(monitor.id);
  if (monitor.slug) run.slugIds.set(monitor.slug, monitor.id);
  return 'created';
}

/** Brings the monitor in line with the entry: only what differs, so an entry that matches it already writes nothing. */
async function updateOne(run: ImportRun, target: Monitor, input: MonitorInput): Promise<ImportResultKind> {
  const { deps, account } = run;
  // The slug matched (or the monitor has none and the entry gives none): it is not an edit.
  const edit = await changesOf(deps, account, target, { ...input, slug: undefined });
  if (Object.keys(edit).length === 0) return 'unchanged';
  if (run.dryRun) checkPlanAllows(PLANS[account.plan], edit);
  else await editMonitor(deps, account, target.id, edit);
  return 'updated';
}
