// Launchers that let firebase-tools run the emulators of the Debian packages
// google-cloud-cli-firestore-emulator and google-cloud-cli-pubsub-emulator instead of downloading
// its own (which needs the internet). Written at run time into a scratch directory.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const FIRESTORE_JAR = '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar';
export const PUBSUB_LAUNCHER = '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator';
const FIRESTORE_MAIN = 'com.google.cloud.datastore.emulator.firestore.CloudFirestore';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A manifest attribute, wrapped as the JAR spec requires (72-byte lines, continuations start with a space). */
function manifestLine(name, value) {
  const bytes = Buffer.from(`${name}: ${value}`, 'utf8');
  const lines = [bytes.subarray(0, 72)];
  for (let at = 72; at < bytes.length; at += 71) lines.push(Buffer.concat([Buffer.from(' '), bytes.subarray(at, at + 71)]));
  return Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\r\n')]));
}

/** A zip archive with one stored (uncompressed) file: all a launcher jar needs. */
function zipOneFile(name, data) {
  const nameBytes = Buffer.from(name, 'utf8');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(0, 8); // stored
  local.writeUInt16LE(0, 10); // time
  local.writeUInt16LE(0x21, 12); // date: 1980-01-01
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // made by
  central.writeUInt16LE(10, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt16LE(0, 12);
  central.writeUInt16LE(0x21, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  // extra, comment, disk, internal and external attributes: 0; local header at offset 0
  const centralOffset = local.length + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}

/**
 * The packaged Firestore emulator jar has no Main-Class, and firebase-tools runs `java -jar <file>`.
 * This jar holds only a manifest naming the main class and putting the packaged jar on the class path.
 */
export function writeFirestoreLauncher(dir, packagedJar = FIRESTORE_JAR) {
  const manifest = Buffer.concat([
    manifestLine('Manifest-Version', '1.0'),
    manifestLine('Main-Class', FIRESTORE_MAIN),
    manifestLine('Class-Path', pathToFileURL(packagedJar).href),
    manifestLine('Created-By', 'CronPeek emulators/launchers.mjs'),
    Buffer.from('\r\n'),
  ]);
  const file = path.join(dir, 'cloud-firestore-emulator-launcher.jar');
  fs.writeFileSync(file, zipOneFile('META-INF/MANIFEST.MF', manifest));
  return file;
}

/**
 * firebase-tools makes the file it is pointed at executable (chmod), which it may not do to a
 * system file; it gets this wrapper instead, which replaces itself with the packaged launcher.
 */
export function writePubsubLauncher(dir, packagedLauncher = PUBSUB_LAUNCHER) {
  const file = path.join(dir, 'cloud-pubsub-emulator');
  fs.writeFileSync(file, `#!/bin/sh\nexec '${packagedLauncher.replace(/'/g, `'\\''`)}' "$@"\n`, { mode: 0o755 });
  return file;
}
