/**
 * CPU seconds used by this process and every process it started (Linux /proc; empty elsewhere),
 * by kind: this bench, the server process (worker + API), the Temporal dev server, PostgreSQL.
 * Taken before and after a phase, it tells which process a phase kept busy: on two shared cores,
 * throughput is CPU per item.
 */
import fs from 'node:fs';

const TICK = 100; // USER_HZ: clock ticks per second on Linux

export type CpuByKind = Record<string, number>;

function kindOf(pid: number, cmd: string): string {
  if (pid === process.pid) return 'bench';
  if (cmd.includes('postgres')) return 'postgres';
  if (cmd.includes('temporal')) return 'temporal';
  if (cmd.includes('server.ts')) return 'server';
  return 'other';
}

/** CPU seconds so far of this process and its descendants, summed by kind. */
export function cpuByKind(): CpuByKind {
  const out: CpuByKind = {};
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  const procs = new Map<number, { ppid: number; cpu: number; cmd: string }>();
  for (const p of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      // Fields after the command (which may hold spaces), counted from the closing parenthesis.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      procs.set(Number(p), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / TICK, cmd });
    } catch {
      // gone meanwhile
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; hops++) {
      if (p === process.pid) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  for (const [pid, x] of procs) {
    if (!mine(pid)) continue;
    const k = kindOf(pid, x.cmd);
    out[k] = (out[k] ?? 0) + x.cpu;
  }
  return out;
}

/** What each kind used between two readings, per item, in milliseconds. */
export function cpuPerItem(before: CpuByKind, after: CpuByKind, items: number): string {
  const kinds = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const parts = kinds.map((k) => ({ k, ms: (((after[k] ?? 0) - (before[k] ?? 0)) * 1000) / items })).filter((x) => x.ms > 0.05);
  const total = parts.reduce((s, x) => s + x.ms, 0);
  return `${parts.map((x) => `${x.k} ${x.ms.toFixed(1)}`).join(', ')} (total ${total.toFixed(1)} ms CPU each)`;
}
