import type { StopRequest } from '../db/live-restore.js';

/**
 * Rollback's answer to SIGINT/SIGTERM (a cancelled run: the runner sends SIGINT, then
 * SIGTERM): the process does not exit. The part in progress finishes — or, for a database
 * restore still building its copy, stops before the swap, leaving the live database as it
 * was — and no further part starts. Callers subscribe to stop what can be stopped safely.
 */
export class SignalStop implements StopRequest {
  private signal: NodeJS.Signals | undefined;
  private readonly callbacks = new Set<() => void>();
  private readonly handler = (signal: NodeJS.Signals): void => {
    const first = this.signal === undefined;
    this.signal ??= signal;
    if (first) {
      this.onFirst(signal);
      for (const cb of [...this.callbacks]) cb();
    }
  };

  constructor(private readonly onFirst: (signal: NodeJS.Signals) => void = () => undefined) {}

  get requested(): boolean {
    return this.signal !== undefined;
  }

  /** the signal that asked to stop, e.g. `SIGINT` */
  get by(): NodeJS.Signals | undefined {
    return this.signal;
  }

  onRequest(cb: () => void): () => void {
    if (this.requested) {
      cb();
      return () => undefined;
    }
    this.callbacks.add(cb);
    return () => {
      this.callbacks.delete(cb);
    };
  }

  install(): void {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  remove(): void {
    process.removeListener('SIGINT', this.handler);
    process.removeListener('SIGTERM', this.handler);
  }
}
