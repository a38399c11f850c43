import { checkServerIdentity } from 'node:tls';
import type { TlsExpectation } from './check-types.js';
import { evaluatePredicates } from './predicates.js';
import { renderString, type Lookup } from './template.js';
import { daysLeft, type CertificateInfo } from './tls-probe.js';

/** What a report shows of a certificate. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** ISO 8601 */
  expires: string;
  daysLeft: number;
}

export function summarizeCertificate(cert: CertificateInfo, now = Date.now()): CertificateSummary {
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    expires: cert.validTo.toISOString(),
    daysLeft: daysLeft(cert, now),
  };
}

/** One line for logs and reports. */
export function describeCertificate(c: CertificateSummary): string {
  return `certificate ${c.subject} issued by ${c.issuer}, expires ${c.expires} (${c.daysLeft} days left)`;
}

/** Every failed `expect.tls` expectation, each naming the certificate's expiry or names. */
export function assertTls(
  tls: TlsExpectation,
  cert: CertificateInfo,
  lookup: Lookup,
  now = Date.now(),
): string[] {
  const failures: string[] = [];
  const left = daysLeft(cert, now);
  const days = evaluatePredicates(tls.daysLeft, { found: true, value: left }, lookup);
  if (days)
    failures.push(
      `expect.tls.days-left: ${days} (the certificate ${left < 0 ? 'expired' : 'expires'} ${cert.validTo.toISOString()})`,
    );
  if (tls.hostname !== undefined) {
    const name = renderString(tls.hostname, lookup);
    const err = checkServerIdentity(name, cert.peer);
    if (err)
      failures.push(
        `expect.tls.hostname: the certificate is not valid for ${name} (${cert.altNames || cert.subject})`,
      );
  }
  const subject = evaluatePredicates(tls.subject, { found: true, value: cert.subject }, lookup);
  if (subject) failures.push(`expect.tls.subject: ${subject}`);
  const issuer = evaluatePredicates(tls.issuer, { found: true, value: cert.issuer }, lookup);
  if (issuer) failures.push(`expect.tls.issuer: ${issuer}`);
  return failures;
}
