/**
 * What grew between two V8 heap snapshots (bench:worker --heap-snapshots): live objects grouped by
 * kind and constructor (or closure) name, their count and self size in each snapshot, the groups
 * that grew most first. Self sizes, not retained: enough to name what accumulates.
 *
 *   npx tsx bench/heap-diff.ts before.heapsnapshot after.heapsnapshot [--top 25]
 */
import fs from 'node:fs';
import { intArg, runMain } from './cli';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

interface Group {
  count: number;
  size: number;
}

/** Live objects by "kind name" (strings and code by kind alone: their names are their contents). */
function groups(file: string): { total: number; byName: Map<string, Group> } {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const kinds = snap.snapshot.meta.node_types[0];
  const [TYPE, NAME, SIZE] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const byName = new Map<string, Group>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const kind = kinds[snap.nodes[i + TYPE]!]!;
    const size = snap.nodes[i + SIZE]!;
    const named = !['string', 'concatenated string', 'sliced string', 'code', 'number', 'hidden'].includes(kind);
    const key = named ? `${kind} ${snap.strings[snap.nodes[i + NAME]!]!.slice(0, 80)}` : `(${kind})`;
    const g = byName.get(key) ?? { count: 0, size: 0 };
    g.count += 1;
    g.size += size;
    total += size;
    byName.set(key, g);
  }
  return { total, byName };
}

async function main() {
  const [a, b] = process.argv.slice(2).filter((x) => x.endsWith('.heapsnapshot'));
  if (!a || !b) throw new Error('usage: heap-diff.ts before.heapsnapshot after.heapsnapshot [--top N]');
  const top = intArg('top', 25);
  const before = groups(a);
  const after = groups(b);
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  console.log(`live heap: ${kib(before.total)} → ${kib(after.total)} (${kib(after.total - before.total)})`);
  const keys = new Set([...before.byName.keys(), ...after.byName.keys()]);
  const rows = [...keys].map((k) => {
    const x = before.byName.get(k) ?? { count: 0, size: 0 };
    const y = after.byName.get(k) ?? { count: 0, size: 0 };
    return { k, x, y, d: y.size - x.size };
  });
  rows.sort((p, q) => q.d - p.d);
  console.log('grew most (self size; count):');
  for (const r of rows.slice(0, top)) console.log(`  ${kib(r.d).padStart(10)}  ${String(r.y.count - r.x.count).padStart(8)}  ${r.k}  (${r.x.count} → ${r.y.count})`);
  console.log('largest in the second:');
  for (const r of [...rows].sort((p, q) => q.y.size - p.y.size).slice(0, 10)) console.log(`  ${kib(r.y.size).padStart(10)}  ${String(r.y.count).padStart(8)}  ${r.k}`);
}

runMain(main);
