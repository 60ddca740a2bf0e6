// Finds a Java runtime that firebase-tools' emulators accept (21 or newer).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const MIN_JAVA = 21;

/** The major version `java -version` reports (8 for "1.8.0_x"), or null if it does not run. */
export function javaMajor(java) {
  const out = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 20_000 });
  if (out.status !== 0) return null;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${out.stderr}${out.stdout}`);
  if (!m) return null;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

function onPath(env) {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, 'java');
    if (dir && fs.existsSync(file)) return file;
  }
  return null;
}

export const JDK_ROOTS = ['/usr/lib/jvm', '/Library/Java/JavaVirtualMachines'];

function installedJdks(roots) {
  const found = [];
  for (const root of roots) {
    let names = [];
    try {
      names = fs.readdirSync(root);
    } catch {
      continue;
    }
    for (const name of names.sort().reverse()) {
      for (const java of [path.join(root, name, 'bin', 'java'), path.join(root, name, 'Contents', 'Home', 'bin', 'java')]) {
        if (fs.existsSync(java)) found.push(java);
      }
    }
  }
  return found;
}

/**
 * JAVA_HOME first, then `java` on PATH, then the JDKs installed beside the default one (newest
 * name first). Returns { java, home, major } or { error } with one line saying what was found.
 */
export function findJava(env = process.env, jdkRoots = JDK_ROOTS) {
  const candidates = [];
  if (env.JAVA_HOME) candidates.push({ java: path.join(env.JAVA_HOME, 'bin', 'java'), from: 'JAVA_HOME' });
  const fromPath = onPath(env);
  if (fromPath) candidates.push({ java: fromPath, from: 'PATH' });
  for (const java of installedJdks(jdkRoots)) candidates.push({ java, from: 'installed' });
  const seen = new Map();
  for (const c of candidates) {
    let real;
    try {
      real = fs.realpathSync(c.java);
    } catch {
      seen.set(c.java, `${c.java} (${c.from}): missing`);
      continue;
    }
    if (seen.has(real)) continue;
    const major = javaMajor(real);
    seen.set(real, `${c.java} (${c.from}): ${major === null ? 'does not run' : `Java ${major}`}`);
    if (major !== null && major >= MIN_JAVA) return { java: real, home: path.dirname(path.dirname(real)), major };
  }
  const tried = [...seen.values()].join('; ') || 'no java on PATH, JAVA_HOME unset, nothing under /usr/lib/jvm';
  return {
    error: `the Firebase emulators need Java ${MIN_JAVA} or newer, found ${tried}: install a JDK ${MIN_JAVA}+ or set JAVA_HOME to one`,
  };
}

// `node emulators/java.mjs`: prints the Java the emulators would use, or the one-line error (exit 1).
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(new URL(import.meta.url).pathname)) {
  const found = findJava();
  if (found.error) {
    console.error(`[cronpeek] error: ${found.error}`);
    process.exit(1);
  }
  console.log(`${found.java} (Java ${found.major})`);
}
