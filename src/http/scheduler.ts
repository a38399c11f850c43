/**
 * Runs tasks with dependencies, at most `concurrency` at once, starting ready tasks in
 * their given order (so `concurrency: 1` is file order). A task whose dependency did not
 * succeed is skipped, naming the blocker; with failFast, no task starts after a failure.
 */

export type SkipCause =
  { kind: 'dependency'; blocker: number } | { kind: 'fail-fast'; blocker: number };

export interface ScheduleOptions<R> {
  /** indices of the tasks each task waits for */
  deps: ReadonlyArray<readonly number[]>;
  concurrency: number;
  failFast: boolean;
  run: (index: number) => Promise<R>;
  succeeded: (result: R) => boolean;
  skip: (index: number, cause: SkipCause) => R;
  /** called as each task finishes or is skipped */
  onResult?: (index: number, result: R) => void;
}

export function schedule<R>(opts: ScheduleOptions<R>): Promise<R[]> {
  const n = opts.deps.length;
  const results = new Array<R | undefined>(n);
  const state = new Array<'waiting' | 'running' | 'done'>(n).fill('waiting');
  let running = 0;
  let finished = 0;
  let firstFailure: number | undefined;

  return new Promise<R[]>((resolve, reject) => {
    const finish = (i: number, r: R): void => {
      results[i] = r;
      state[i] = 'done';
      finished++;
      if (!opts.succeeded(r) && firstFailure === undefined) firstFailure = i;
      opts.onResult?.(i, r);
    };

    const pump = (): void => {
      let changed = true;
      while (changed) {
        changed = false;
        for (let i = 0; i < n; i++) {
          if (state[i] !== 'waiting') continue;
          const blocker = opts.deps[i].find(
            (d) => state[d] === 'done' && !opts.succeeded(results[d] as R),
          );
          if (blocker !== undefined) {
            finish(i, opts.skip(i, { kind: 'dependency', blocker }));
            changed = true;
          } else if (opts.failFast && firstFailure !== undefined) {
            finish(i, opts.skip(i, { kind: 'fail-fast', blocker: firstFailure }));
            changed = true;
          } else if (running < opts.concurrency && opts.deps[i].every((d) => state[d] === 'done')) {
            start(i);
          }
        }
      }
      if (finished === n) resolve(results as R[]);
    };

    const start = (i: number): void => {
      state[i] = 'running';
      running++;
      opts.run(i).then(
        (r) => {
          running--;
          finish(i, r);
          pump();
        },
        (err: unknown) => reject(err),
      );
    };

    pump();
  });
}
