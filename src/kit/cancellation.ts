import * as core from '@actions/core';
import { UserError } from './errors.js';

/**
 * A cancelled run: the runner sends SIGINT, then SIGTERM 7.5 s later, then kills the process
 * tree. Node's default for both signals is to die on the spot, which would skip the outputs
 * and the summary; an action that watches for them instead stops its work at a safe point,
 * reports what was done and exits non-zero (each action's README says what "safe" means).
 */
export class CancelledError extends UserError {
  readonly signal: NodeJS.Signals;
  constructor(signal: NodeJS.Signals, detail: string) {
    super(`cancelled by ${signal}: ${detail}`);
    this.name = 'CancelledError';
    this.signal = signal;
  }
}

export interface Cancellation {
  /** aborts at the first SIGINT or SIGTERM */
  readonly signal: AbortSignal;
  /** the signal received first, once one was */
  readonly by: NodeJS.Signals | undefined;
  /** stops watching (the signals' default comes back) */
  dispose(): void;
}

/** Watches SIGINT and SIGTERM; the first aborts `signal`, a later one is only logged. */
export function watchCancellation(log: (line: string) => void = (l) => core.info(l)): Cancellation {
  const controller = new AbortController();
  let by: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (by) {
      log(`received ${signal} while stopping after ${by}; finishing the report`);
      return;
    }
    by = signal;
    log(`received ${signal}: the run was cancelled; stopping at the next safe point`);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get by() {
      return by;
    },
    dispose() {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  };
}
