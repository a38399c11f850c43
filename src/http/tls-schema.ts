import { CheckReader, isObj } from './check-reader.js';
import { parsePredicates, PredicateSpecError, type Predicate } from './predicates.js';
import type { TlsExpectation } from './check-types.js';
import type { JsonValue } from './template.js';

/**
 * `expect.tls`: what the server certificate of the check's (final) https URL must be.
 *   days-left: { gte: 14 }     whole days until it expires (predicates as in expect.json)
 *   hostname: api.example.com  a name it must be valid for (default: not checked)
 *   subject / issuer           predicates on `CN=..., O=...` text
 */

const TLS_KEYS = ['days-left', 'hostname', 'subject', 'issuer'];

export function readTlsExpectation(r: CheckReader, v: unknown): TlsExpectation | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    r.problem(
      ['expect', 'tls'],
      'expect.tls must be a map with days-left, hostname, subject or issuer',
    );
    return undefined;
  }
  r.keys(v, ['expect', 'tls'], TLS_KEYS, 'expect.tls');
  if (Object.keys(v).length === 0)
    r.problem(
      ['expect', 'tls'],
      'expect.tls is empty; give days-left, hostname, subject or issuer',
    );
  const preds = (key: string): Predicate[] => {
    if (v[key] === undefined) return [];
    try {
      return parsePredicates(v[key] as JsonValue);
    } catch (err) {
      if (!(err instanceof PredicateSpecError)) throw err;
      r.problem(['expect', 'tls', key], `expect.tls.${key}: ${err.message}`);
      return [];
    }
  };
  const out: TlsExpectation = {
    daysLeft: preds('days-left'),
    subject: preds('subject'),
    issuer: preds('issuer'),
  };
  if (v.hostname !== undefined) {
    const host = r.string(v.hostname, ['expect', 'tls', 'hostname'], 'expect.tls.hostname');
    if (host !== undefined && host.trim() === '')
      r.problem(['expect', 'tls', 'hostname'], 'expect.tls.hostname must not be empty');
    else out.hostname = host?.trim();
  }
  return out;
}
