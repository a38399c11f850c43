import * as core from '@actions/core';
import { CancelledError } from './cancellation.js';
import { isUserError, errorMessage } from './errors.js';
import { useEnvironmentProxy } from './proxy.js';
import { redact } from './secrets.js';

/**
 * Runs an action's main, with fetch routed through HTTPS_PROXY / HTTP_PROXY / NO_PROXY
 * when they are set (see proxy.ts). A UserError becomes one `::error::` line and exit code 1;
 * anything else is a bug: the same line, plus the stack when RUNNER_DEBUG=1.
 * Every message is redacted, since errors may quote what a tool printed.
 */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    // before any request: every HTTP client of the action goes through fetch
    await useEnvironmentProxy();
    await main();
  } catch (err) {
    const message = redact(errorMessage(err)).replace(/\r?\n/g, ' ');
    if (
      !isUserError(err) &&
      process.env.RUNNER_DEBUG === '1' &&
      err instanceof Error &&
      err.stack
    ) {
      core.debug(redact(err.stack));
    }
    core.setFailed(isUserError(err) ? message : `Unexpected error: ${message}`);
    process.exitCode = 1;
    // a cancelled run reported what it did; requests still in flight must not hold it up
    if (err instanceof CancelledError) process.exit(1);
  }
}

/** Sets an output after making sure no registered secret is inside it. */
export function setOutput(name: string, value: string | number | boolean | object): void {
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (redact(text) !== text) {
    core.warning(`output '${name}' would contain a secret and was left empty`);
    core.setOutput(name, '');
    return;
  }
  core.setOutput(name, text);
}
