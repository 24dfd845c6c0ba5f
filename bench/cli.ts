/** What every benchmark's command line shares: its options (`--name value`) and how it runs. */

/** `--name VALUE`, or undefined when absent. */
export function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `--name N`: a whole number of at least `min`, `dflt` when absent. */
export function intArg(name: string, dflt: number, min = 1): number {
  const given = option(name);
  const v = given === undefined ? dflt : Number(given);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return v;
}

/** Runs a benchmark's main; a failure is printed and ends the process with 1. */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
