/**
 * The one line each benchmark ends with, for `npm run bench` (bench/index.ts) to gather into its
 * table: what was compared with what, the ratio, the goal and whether it was met.
 */
export interface BenchRow {
  name: string;
  /** What the subject is measured against ('—' when the goal is absolute). */
  baseline: string;
  subject: string;
  ratio: string;
  goal: string;
  met: boolean;
  /**
   * Why the goal is not met and what it would take, in one line, naming the section of
   * docs/benchmarks.md that has the figures; printed under the table for a row not met.
   */
  cause?: string;
}

export const RESULT_PREFIX = 'bench-result ';

export function printResult(rows: BenchRow[]): void {
  console.log(RESULT_PREFIX + JSON.stringify(rows));
}
