import { UserError } from '../kit/errors.js';
import {
  RetryCancelledError,
  isRetryableStatus,
  statusReason,
  parseRetryAfter,
} from '../kit/retry.js';
import type { RetryAttempt, RetryReason } from '../kit/retry.js';
import { redact } from '../kit/secrets.js';
import type { RegistryCredentials } from './credentials.js';

/** Errors of the registry client, and which of them are worth another attempt. */

export class RegistryError extends UserError {
  readonly status: number | undefined;
  /** the request never got an answer (refused, reset, timed out): worth another attempt */
  readonly network: string | undefined;
  constructor(message: string, status?: number, network?: string) {
    super(message);
    this.name = 'RegistryError';
    this.status = status;
    this.network = network;
  }
}

/** Whether a failed call may be repeated as a whole (a network error or a retryable status). */
export function retryReasonOf<T>(outcome: RetryAttempt<T>): RetryReason | undefined {
  if (outcome.error !== undefined) {
    const err = outcome.error;
    if (err instanceof RegistryError) {
      if (err.network) return { reason: err.network };
      if (err.status !== undefined && isRetryableStatus(err.status)) {
        return { reason: statusReason(err.status) };
      }
    }
    return undefined;
  }
  const res = outcome.value;
  if (!(res instanceof Response) || !isRetryableStatus(res.status)) return undefined;
  return {
    reason: statusReason(res.status, res.statusText),
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
  };
}

export async function registryErrorText(res: Response): Promise<string> {
  let text: string;
  try {
    text = await res.text();
  } catch {
    return '';
  }
  try {
    const body = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    const first = body.errors?.[0];
    if (first) return `: ${[first.code, first.message].filter(Boolean).join(' ')}`;
  } catch {
    // not the registry's JSON error format: fall through to the raw text
  }
  const line = text.trim().split('\n')[0] ?? '';
  return line ? `: ${redact(line.slice(0, 200))}` : '';
}

/** The same error, saying how many attempts were made before giving up. */
export function withAttempts(err: unknown, attempts: number): unknown {
  if (attempts <= 1 || !(err instanceof RegistryError) || /after \d+ attempts/.test(err.message))
    return err;
  const message = `${err.message.replace(/\.$/, '')} (after ${attempts} attempts).`;
  return new RegistryError(message, err.status, err.network);
}

/** A cancelled wait between retries becomes the client's own error. */
export function asRegistryError(err: unknown, what: string): unknown {
  return err instanceof RetryCancelledError ? new RegistryError(`${what} was cancelled.`) : err;
}

export function unreachableMessage(
  registry: string,
  baseUrl: string,
  insecure: boolean,
  reason: string,
): string {
  const hint =
    !insecure && /EPROTO|wrong version number|ssl|tls/i.test(reason)
      ? ' The registry may speak plain http: set insecure-registry: true for a loopback or test registry.'
      : '';
  return `registry ${registry} could not be reached at ${baseUrl}: ${reason}.${hint}`;
}

/** The error for a final non-2xx answer: who refused what, and why when the registry says. */
export async function responseError(
  res: Response,
  what: string,
  ctx: { registry: string; credentials: RegistryCredentials | undefined; attempts?: number },
): Promise<RegistryError> {
  const after = ctx.attempts && ctx.attempts > 1 ? `, after ${ctx.attempts} attempts` : '';
  const detail = `${await registryErrorText(res)}${after}`;
  if (res.status === 401) {
    const how = ctx.credentials
      ? `the registry rejected the credentials (${ctx.credentials.source})`
      : 'the registry requires a login; set registry-username and registry-password or log in with docker login';
    return new RegistryError(`${what} failed: ${how} (HTTP 401${detail}).`, 401);
  }
  if (res.status === 403) {
    return new RegistryError(
      `${what} failed: access denied by registry ${ctx.registry} (HTTP 403${detail}).`,
      403,
    );
  }
  return new RegistryError(
    `${what} failed: registry ${ctx.registry} answered HTTP ${res.status}${detail}.`,
    res.status,
  );
}
