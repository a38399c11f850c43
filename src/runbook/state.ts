import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError, errorMessage } from '../kit/errors.js';
import type { EnvironmentState } from './record.js';
import type { Runbook } from './types.js';

/** `<state-dir>/<environment>.json`: what is live and the last release's record. */
export function statePath(book: Runbook): string {
  return join(resolve(book.dir, book.stateDir), `${book.environment}.json`);
}

export function readState(book: Runbook): EnvironmentState {
  const path = statePath(book);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    return JSON.parse(text) as EnvironmentState;
  } catch (err) {
    throw new UserError(
      `the state file ${path} is not valid JSON (${errorMessage(err)}); fix or remove it.`,
    );
  }
}

/** Written beside and renamed, so a kill mid-write leaves the old state, never half of it. */
export function writeState(book: Runbook, state: EnvironmentState): void {
  const path = statePath(book);
  mkdirSync(resolve(book.dir, book.stateDir), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}
