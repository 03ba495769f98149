// A zip writer whose bytes depend only on the files' paths and contents, so that two builds of one
// commit give the same package (Mozilla's reviewers rebuild the add-on and compare). web-ext's own
// `build` stamps each entry with the time of packaging and takes the files in the order the disk
// lists them; this writer takes them sorted by path, gives every entry one fixed time and the same
// permissions, and adds no extra fields. Deflate is Node's bundled zlib, the same bytes for the same
// Node (package.json pins it). No zip64: an extension package is far below 4 GiB and 65,535 entries.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

/**
 * The time every entry carries unless SOURCE_DATE_EPOCH says otherwise: the earliest a zip can
 * record (the dates mean nothing to a browser; a fixed one keeps them out of the bytes).
 */
export const DEFAULT_ENTRY_TIME = Date.UTC(1980, 0, 1, 0, 0, 0);

/** SOURCE_DATE_EPOCH (seconds, the reproducible-builds convention) if set, else the fixed time. */
export function entryTime(environment = process.env) {
  const epoch = environment.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return DEFAULT_ENTRY_TIME;
  if (!/^\d+$/.test(epoch)) throw new Error(`SOURCE_DATE_EPOCH must be whole seconds, not "${epoch}"`);
  return Math.max(Number(epoch) * 1000, DEFAULT_ENTRY_TIME);
}

/** Every file under `folder`, as paths relative to it with `/`, sorted by their UTF-8 bytes. */
export async function listFiles(folder) {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => {
      if (entry.isSymbolicLink()) throw new Error(`zip: ${path.join(entry.parentPath, entry.name)} is a symbolic link`);
      return entry.isFile();
    })
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
  return files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** MS-DOS date and time fields (two seconds' resolution), read in UTC so the machine's zone does not matter. */
function dosDateTime(milliseconds) {
  const date = new Date(milliseconds);
  const year = date.getUTCFullYear();
  if (year < 1980 || year > 2107) throw new Error(`zip: ${date.toISOString()} is outside what a zip can record`);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

const VERSION_NEEDED = 20;
/** Made by "Unix" (3), so that the external attributes below are read as a mode. */
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED;
/** A regular file, rw-r--r--, whatever the checkout's umask gave it. */
const EXTERNAL_ATTRIBUTES = (0o100644 << 16) >>> 0;
/** Bit 11: the names are UTF-8. */
const FLAGS = 0x0800;
const STORED = 0;
const DEFLATED = 8;

/**
 * The zip of `files` (paths relative to `folder`, in the order given) as one buffer.
 * @param {string} folder
 * @param {readonly string[]} files
 * @param {{ time?: number }} [options] milliseconds since the epoch for every entry
 */
export async function zipFolder(folder, files, { time = entryTime() } = {}) {
  const { time: dosTime, date: dosDate } = dosDateTime(time);
  /** @type {Buffer[]} */
  const parts = [];
  /** @type {Buffer[]} */
  const central = [];
  let offset = 0;
  for (const name of files) {
    const data = await readFile(path.join(folder, ...name.split('/')));
    const deflated = deflateRawSync(data, { level: 9 });
    // Stored when deflate does not help (PNGs, the wasm may already be tight).
    const method = deflated.length < data.length ? DEFLATED : STORED;
    const body = method === DEFLATED ? deflated : data;
    const nameBytes = Buffer.from(name, 'utf8');
    const checksum = crc32(data);
    // Both headers carry the same 26 bytes from "version needed" to the name's length.
    const entry = { method, dosTime, dosDate, checksum, storedSize: body.length, size: data.length, nameLength: nameBytes.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeEntryFields(local, 4, entry);
    local.writeUInt16LE(0, 28);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(VERSION_MADE_BY, 4);
    writeEntryFields(header, 6, entry);
    // Extra field, comment, disk number and internal attributes: all zero (bytes 30 to 37).
    header.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38);
    header.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, body);
    central.push(header, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  if (files.length > 0xffff || offset > 0xffffffff) throw new Error('zip: too large without zip64');
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

/**
 * The fields a local file header (from byte 4) and its central directory header (from byte 6) share,
 * in the order both put them: version needed, flags, method, time, date, CRC-32, sizes, name length.
 */
function writeEntryFields(buffer, at, { method, dosTime, dosDate, checksum, storedSize, size, nameLength }) {
  buffer.writeUInt16LE(VERSION_NEEDED, at);
  buffer.writeUInt16LE(FLAGS, at + 2);
  buffer.writeUInt16LE(method, at + 4);
  buffer.writeUInt16LE(dosTime, at + 6);
  buffer.writeUInt16LE(dosDate, at + 8);
  buffer.writeUInt32LE(checksum, at + 10);
  buffer.writeUInt32LE(storedSize, at + 14);
  buffer.writeUInt32LE(size, at + 18);
  buffer.writeUInt16LE(nameLength, at + 22);
}
