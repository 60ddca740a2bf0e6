import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A throwaway self-signed certificate for `hostname`, made with the openssl CLI, so a local
 * stand-in can answer `https://<hostname>/…` for real: the client checks it against `ca`.
 */
export function selfSignedCertificate(hostname: string): { key: string; cert: string; ca: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-tls-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
        '-subj', `/CN=${hostname}`, '-addext', `subjectAltName=DNS:${hostname}`],
      { stdio: 'ignore' },
    );
    const pem = fs.readFileSync(cert, 'utf8');
    return { key: fs.readFileSync(key, 'utf8'), cert: pem, ca: pem };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A resolver (the notifiers' `resolve` seam) that sends the given names to 127.0.0.1. */
export function resolveToLoopback(...hostnames: string[]) {
  return async (hostname: string) => {
    if (!hostnames.includes(hostname)) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return [{ address: '127.0.0.1', family: 4 }];
  };
}
