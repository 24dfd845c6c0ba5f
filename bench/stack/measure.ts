/** What bench:workflow and bench:api-post share: how they run their jobs and how a pair is chosen. */

/** Runs jobs 0..total-1, `concurrency` at a time; resolves with jobs per second. */
export async function runConcurrent(total: number, concurrency: number, job: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        await job(i);
      }
    }),
  );
  return total / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** The pair whose ratio is the median of the pairs (the middle one, or the lower middle). */
export function medianPair<T extends { ratio: number }>(pairs: T[]): T {
  const sorted = [...pairs].sort((a, b) => a.ratio - b.ratio);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
