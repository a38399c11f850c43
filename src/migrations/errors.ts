import { UserError } from '../kit/errors.js';
import type { ApplyResult } from './types.js';

/** A migration failed part-way: what was applied before it is still known (outputs on failure). */
export class ApplyFailedError extends UserError {
  readonly partial: ApplyResult;
  constructor(message: string, partial: ApplyResult) {
    super(message);
    this.name = 'ApplyFailedError';
    this.partial = partial;
  }
}

/** The run was cancelled (SIGINT/SIGTERM): what was applied before is in `partial`. */
export class MigrationCancelledError extends ApplyFailedError {
  constructor(message: string, partial: ApplyResult) {
    super(message, partial);
    this.name = 'MigrationCancelledError';
  }
}
