import { describe, expect, test } from '@jest/globals';
import { schedule, type SkipCause } from '../../src/http/scheduler.js';

interface R {
  i: number;
  ok: boolean;
  skipped?: SkipCause;
}

function harness(
  deps: number[][],
  opts: { concurrency: number; failFast?: boolean; fail?: number[] },
) {
  const log: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const releases: Array<() => void> = [];
  const done = schedule<R>({
    deps,
    concurrency: opts.concurrency,
    failFast: opts.failFast ?? false,
    run: (i) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      log.push(`start ${i}`);
      return new Promise<R>((resolve) =>
        releases.push(() => {
          running--;
          log.push(`end ${i}`);
          resolve({ i, ok: !(opts.fail ?? []).includes(i) });
        }),
      );
    },
    succeeded: (r) => r.ok,
    skip: (i, cause) => ({ i, ok: false, skipped: cause }),
  });
  // release tasks one macrotask at a time, oldest first, until all settle
  const drive = async (): Promise<R[]> => {
    let settled = false;
    let out: R[] = [];
    void done.then((r) => {
      settled = true;
      out = r;
    });
    while (!settled) {
      await new Promise((r) => setTimeout(r, 0));
      releases.shift()?.();
    }
    return out;
  };
  return { log, drive, maxRunning: () => maxRunning };
}

describe('scheduler', () => {
  test('never runs more than the concurrency', async () => {
    const h = harness(
      Array.from({ length: 12 }, () => []),
      { concurrency: 4 },
    );
    const results = await h.drive();
    expect(results.every((r) => r.ok)).toBe(true);
    expect(h.maxRunning()).toBe(4);
  });

  test('concurrency 1 keeps file order', async () => {
    const h = harness([[], [], [], []], { concurrency: 1 });
    await h.drive();
    expect(h.log).toEqual([
      'start 0',
      'end 0',
      'start 1',
      'end 1',
      'start 2',
      'end 2',
      'start 3',
      'end 3',
    ]);
  });

  test('a task starts only after its dependencies', async () => {
    const h = harness([[1], [], [0, 1]], { concurrency: 8 });
    await h.drive();
    expect(h.log.indexOf('start 0')).toBeGreaterThan(h.log.indexOf('end 1'));
    expect(h.log.indexOf('start 2')).toBeGreaterThan(h.log.indexOf('end 0'));
  });

  test('a failed dependency skips its dependents, transitively, naming the blocker', async () => {
    const h = harness([[], [0], [1], []], { concurrency: 2, fail: [0] });
    const r = await h.drive();
    expect(r[1].skipped).toEqual({ kind: 'dependency', blocker: 0 });
    expect(r[2].skipped).toEqual({ kind: 'dependency', blocker: 1 });
    expect(r[3].ok).toBe(true);
    expect(h.log).not.toContain('start 1');
  });

  test('fail-fast starts nothing after a failure', async () => {
    const h = harness([[], [], [], []], { concurrency: 1, failFast: true, fail: [1] });
    const r = await h.drive();
    expect(r.map((x) => x.ok)).toEqual([true, false, false, false]);
    expect(r[2].skipped).toEqual({ kind: 'fail-fast', blocker: 1 });
    expect(h.log).not.toContain('start 2');
  });
});
