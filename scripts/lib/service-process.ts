import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A service that could not start, said in one line: which service, and why (its own last words when
 * it printed any). `npm start` prints it as is; the tests stop on it (test/support/hooks.ts).
 */
export class ServiceStartError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'ServiceStartError';
    // Printed by mocha and by the launcher: the message is the whole story, a stack adds nothing.
    this.stack = this.message;
  }
}

/** Several lines (a server's log, a library's message) as one, capped so that it stays readable. */
export function oneLine(text: string, max = 600): string {
  const joined = text
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter(Boolean)
    .join(' | ');
  return joined.length > max ? `${joined.slice(0, max - 1)}…` : joined;
}

/** The message of anything thrown, in one line. */
export function messageOf(e: unknown): string {
  return oneLine(e instanceof Error ? e.message || e.name : String(e));
}

/** Rejects with `what` when `promise` has not settled within `ms` (the promise itself runs on). */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ServiceStartError(`${what} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ServiceProcessOptions {
  /** Names the service in every message: "PostgreSQL", "Temporal dev server". */
  service: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Run as another user (root runs PostgreSQL as `postgres`). */
  uid?: number;
  gid?: number;
  /**
   * Its own process group, so that a terminal's Ctrl-C reaches only the launcher, which stops the
   * services in order. Tests leave it off: a Ctrl-C on mocha then ends the servers too.
   */
  detached?: boolean;
  /** True once the service serves: checked on every output chunk and every 250 ms. */
  ready(output: string): boolean | Promise<boolean>;
  /** What readiness means, for the timeout's message: "answer on 127.0.0.1:7233". */
  readyMeans: string;
  timeoutMs: number;
  stopSignal?: NodeJS.Signals;
  /** One log line as worth showing (strip timestamps, pick a JSON log's message); '' drops it. */
  describeLine?(line: string): string;
  /** Which lines explain a failure best (default: the last three). */
  pickLines?(lines: string[]): string[];
  onLog?(line: string): void;
}

export interface ServiceProcess {
  child: ChildProcess;
  /** The last lines of its output, as one line. */
  lastWords(): string;
  stop(): Promise<void>;
}

/** Keeps the tail of a process's output and says its last words in one line. */
function outputTail(opts: Pick<ServiceProcessOptions, 'describeLine' | 'pickLines' | 'onLog'>) {
  const describe = opts.describeLine ?? ((l: string) => l.trim());
  const pick = opts.pickLines ?? ((ls: string[]) => ls.slice(-3));
  const tail = {
    text: '',
    collect: (buf: Buffer) => {
      const s = buf.toString();
      tail.text = (tail.text + s).slice(-16_000);
      opts.onLog?.(s);
    },
    lastWords: () => oneLine(pick(tail.text.split(/\r?\n/).map(describe).filter(Boolean)).join('\n')) || 'no output',
  };
  return tail;
}

const running = new Set<ServiceProcess>();

// A last resort when this process ends without stopping what it started (an uncaught error, a test
// run killed mid-way): nothing it started should outlive it.
process.once('exit', () => {
  for (const s of running) {
    try {
      s.child.kill();
    } catch {
      // already gone
    }
  }
});

/**
 * Starts a server process and waits until `ready` says it serves. Rejects, with a
 * ServiceStartError naming the service, when it cannot be run, exits before it is ready, or is not
 * ready within `timeoutMs` (it is then killed). Never waits longer than that.
 */
export async function startServiceProcess(opts: ServiceProcessOptions): Promise<ServiceProcess> {
  const tail = outputTail(opts);
  const child = spawn(opts.command, opts.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    detached: opts.detached ?? false,
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
  });
  const killAll = (signal: NodeJS.Signals) => {
    try {
      if (opts.detached && child.pid) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  };
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${String(code)}`)),
  );

  const service: ServiceProcess = {
    child,
    lastWords: tail.lastWords,
    stop: async () => {
      running.delete(service);
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill(opts.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => killAll('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(service);

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    /** Past its time: being killed. */
    let late = false;
    let timer: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      if (error === undefined) resolve();
      else {
        running.delete(service);
        reject(new ServiceStartError(error));
      }
    };
    // One check at a time: a check may take a while (a health check's connect timeout).
    let checking = false;
    const check = async () => {
      if (checking || settled || late) return;
      checking = true;
      try {
        if (await opts.ready(tail.text)) finish();
      } catch {
        // not ready yet
      } finally {
        checking = false;
      }
    };
    const collect = (buf: Buffer) => {
      tail.collect(buf);
      void check();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('error', (e) => finish(`${opts.service} could not be run (${opts.command}): ${e.message}`));
    // Its last words may still be in the pipes when it exits: wait for them, briefly (a child it
    // left behind could hold the pipes open).
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    void exited.then(async (how) => {
      await Promise.race([closed, new Promise((r) => setTimeout(r, 500))]);
      finish(
        late
          ? `${opts.service} did not ${opts.readyMeans} within ${opts.timeoutMs / 1000} s: ${tail.lastWords()}`
          : `${opts.service} exited (${how}) before it was ready: ${tail.lastWords()}`,
      );
    });
    poll = setInterval(() => void check(), 250);
    // Too late: killed, and the failure reported once it is gone (nothing is left running).
    timer = setTimeout(() => {
      late = true;
      clearInterval(poll);
      killAll('SIGKILL');
    }, opts.timeoutMs);
  });
  return service;
}

/**
 * Runs a command to its end (initdb), bounded like a service start: rejects with one line naming
 * it, its exit and its last words when it fails, cannot be run or overruns `timeoutMs`.
 */
export async function runToCompletion(opts: Omit<ServiceProcessOptions, 'ready' | 'readyMeans' | 'stopSignal'>): Promise<void> {
  const tail = outputTail(opts);
  const { lastWords } = tail;
  const child = spawn(opts.command, opts.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
  });
  child.stdout!.on('data', tail.collect);
  child.stderr!.on('data', tail.collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ServiceStartError(`${opts.service} did not finish within ${opts.timeoutMs / 1000} s: ${lastWords()}`));
    }, opts.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new ServiceStartError(`${opts.service} could not be run (${opts.command}): ${e.message}`));
    });
    // 'close', not 'exit': the last words arrive on the pipes after the exit.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new ServiceStartError(`${opts.service} failed (${signal ? `signal ${signal}` : `code ${String(code)}`}): ${lastWords()}`));
    });
  });
}
