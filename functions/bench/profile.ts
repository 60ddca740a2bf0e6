/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, as BENCH_CPU_PROF writes for the ping bench):
 * self time by function and by module, and inclusive time of a few groups (Express, better-sqlite3,
 * our code). Format: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile
 *   npx tsx bench/profile.ts <file.cpuprofile> [top=25]
 * Only the busy part counts: `(idle)` is reported but left out of the percentages.
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame belongs: a package, our source, Node's internals, or V8's pseudo-frames. */
export function moduleOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native / V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const ours = /functions\/lib\/(.+)\.js$/.exec(url) ?? /functions\/src\/(.+)\.ts$/.exec(url);
  if (ours) return `cronpeek ${ours[1].split('/').slice(0, 2).join('/')}`;
  if (url.startsWith('node:')) return url;
  return url;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  byFunction: Array<[string, number]>;
  byModule: Array<[string, number]>;
  inclusive: Array<[string, number]>;
}

const GROUPS: Array<[string, (n: ProfileNode) => boolean]> = [
  ['express (router, middleware, response)', (n) => /node_modules\/(express|router|body-parser|finalhandler|send|serve-static)\//.test(n.callFrame.url)],
  ['better-sqlite3 (statements, transactions)', (n) => /better-sqlite3/.test(n.callFrame.url)],
  ['JSON.stringify / parse', (n) => /^(stringify|parse)$/.test(n.callFrame.functionName) && !n.callFrame.url],
  ['node:_http_* and net (HTTP parsing, sockets)', (n) => /^node:(_http_|net|stream|internal\/streams)/.test(n.callFrame.url)],
  ['cronpeek src (all our code, incl. callees)', (n) => /functions\/(lib|src)\//.test(n.callFrame.url)],
];

export function summarise(p: CpuProfile): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const fn = new Map<string, number>();
  const mod = new Map<string, number>();
  const inc = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|functions)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + ms);
    const m = moduleOf(url, functionName);
    mod.set(m, (mod.get(m) ?? 0) + ms);
    // Inclusive: a sample counts once for each group that appears on its stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      for (const [g, test] of GROUPS) if (!seen.has(g) && test(byId.get(cur)!)) seen.add(g);
    }
    for (const g of seen) inc.set(g, (inc.get(g) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { busyMs, idleMs, byFunction: sorted(fn), byModule: sorted(mod), inclusive: sorted(inc) };
}

export function printSummary(s: ProfileSummary, top = 25): void {
  const pct = (ms: number) => `${((100 * ms) / s.busyMs).toFixed(1).padStart(5)} %`;
  console.log(`busy ${s.busyMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms (percentages are of busy time)`);
  console.log('\nself time by module:');
  for (const [k, ms] of s.byModule.slice(0, top)) console.log(`  ${pct(ms)}  ${k}`);
  console.log('\nself time by function:');
  for (const [k, ms] of s.byFunction.slice(0, top)) console.log(`  ${pct(ms)}  ${k}`);
  console.log('\ninclusive time (a stack counts once per group on it):');
  for (const [k, ms] of s.inclusive) console.log(`  ${pct(ms)}  ${k}`);
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: npx tsx bench/profile.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  printSummary(summarise(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile), Number(process.argv[3] ?? 25));
}
