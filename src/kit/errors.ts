/**
 * A UserError is a problem with what the user asked for or with their environment
 * (bad input, unreachable server, failing tool). It is reported as one line, no stack.
 * Anything else that escapes an action is a bug and keeps its stack for RUNNER_DEBUG.
 */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** A bad action input: the message always starts with the input's name. */
export class InputError extends UserError {
  readonly input: string;
  constructor(input: string, message: string) {
    super(`Input '${input}': ${message}`);
    this.name = 'InputError';
    this.input = input;
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
