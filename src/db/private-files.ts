import fs from "node:fs";
import path from "node:path";

/** Told about each directory or file whose permissions were looser than private. */
export type PermissionWarning = (
  message: string,
  detail: { path: string; mode: string; tightenedTo?: string },
) => void;

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
/** The files SQLite keeps beside a database. */
const SQLITE_COMPANIONS = ["", "-wal", "-shm", "-journal"];

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

function statOf(target: string): fs.Stats | undefined {
  try {
    return fs.statSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Takes group and other permissions off one directory or file of ours. Only what this user owns
 * is changed, and never a shared directory with the sticky bit (/tmp), whose other users need it.
 */
function tighten(target: string, stats: fs.Stats, wanted: number, warn: PermissionWarning): void {
  if ((stats.mode & 0o077) === 0) return;
  const mode = octal(stats.mode);
  const mine = process.getuid === undefined || stats.uid === process.getuid();
  if (!mine || (stats.mode & 0o1000) !== 0) {
    warn(
      `${target} is readable by other local users (${mode}) and is not Switchboard's own to change; keep Switchboard's data in a directory of its own`,
      { path: target, mode },
    );
    return;
  }
  fs.chmodSync(target, wanted);
  warn(
    `${target} was readable by other local users (${mode}); tightened to ${octal(wanted)}: it holds Switchboard's database and keys`,
    { path: target, mode, tightenedTo: octal(wanted) },
  );
}

/**
 * Creates the directory (and its parents) 0700. An existing looser one is tightened when it is
 * Switchboard's own (`tighten`: the data directory); any other (a database file's directory
 * named by DATABASE_URL) is only warned about: the files in it are private all the same.
 */
export function ensurePrivateDirectory(
  dir: string,
  warn: PermissionWarning,
  options: { tighten: boolean },
): void {
  if (process.platform === "win32") {
    fs.mkdirSync(dir, { recursive: true });
    return;
  }
  const stats = statOf(dir);
  if (stats === undefined) {
    fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
    return;
  }
  if (options.tighten) tighten(dir, stats, PRIVATE_DIR, warn);
  else if ((stats.mode & 0o077) !== 0)
    warn(
      `${dir}, the database's directory, is open to other local users (${octal(stats.mode)}); the database files are private, but their names are visible: make it 0700 or use SWITCHBOARD_DATA_DIR`,
      { path: dir, mode: octal(stats.mode) },
    );
}

/** Tightens an existing file to 0600; a missing one is left alone. */
export function tightenPrivateFile(file: string, warn: PermissionWarning): void {
  if (process.platform === "win32") return;
  const stats = statOf(file);
  if (stats?.isFile() === true) tighten(file, stats, PRIVATE_FILE, warn);
}

/**
 * The data directory at start: 0700, and every file Switchboard wrote in it (the database and
 * its -wal/-shm, master.key and its rotation files) 0600. A missing directory is left for the
 * first writer to create.
 */
export function securePrivateDataDirectory(dataDir: string, warn: PermissionWarning): void {
  if (process.platform === "win32" || statOf(dataDir) === undefined) return;
  ensurePrivateDirectory(dataDir, warn, { tighten: true });
  for (const entry of fs.readdirSync(dataDir, { withFileTypes: true }))
    if (entry.isFile()) tightenPrivateFile(path.join(dataDir, entry.name), warn);
}

/**
 * Before SQLite opens a database: its directory 0700, the file created 0600 (SQLite gives the
 * -wal and -shm it creates the database file's permissions), and looser ones tightened.
 */
export function prepareSqliteFiles(file: string, warn: PermissionWarning): void {
  ensurePrivateDirectory(path.dirname(file), warn, { tighten: false });
  if (process.platform === "win32") return;
  if (statOf(file) === undefined) fs.closeSync(fs.openSync(file, "a", PRIVATE_FILE));
  for (const suffix of SQLITE_COMPANIONS) tightenPrivateFile(`${file}${suffix}`, warn);
}
