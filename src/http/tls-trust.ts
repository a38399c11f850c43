import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';

/**
 * Extra CA certificates for the run (an internal CA, a staging CA): added to the process's
 * default trust store, which both fetch (undici's TLS connections) and the certificate
 * probe use. Setting the default store, rather than passing `ca` per request, keeps the
 * HTTP client's dispatcher untouched and covers every connection the run makes.
 */

export class CaCertificateError extends Error {}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM text; throws CaCertificateError when there is none or one is bad. */
export function parseCaCertificates(pem: string): string[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0)
    throw new CaCertificateError('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  blocks.forEach((block, i) => {
    try {
      const cert = new X509Certificate(block);
      if (!cert.ca)
        throw new CaCertificateError(
          `certificate #${i + 1} (${cert.subject.replace(/\n/g, ', ')}) is not a CA certificate`,
        );
    } catch (err) {
      if (err instanceof CaCertificateError) throw err;
      throw new CaCertificateError(
        `certificate #${i + 1} is not a valid X.509 certificate (${(err as Error).message})`,
      );
    }
  });
  return blocks;
}

/** Trusts these CA certificates, in addition to the default ones, for the rest of the process. */
export function trustCaCertificates(pems: readonly string[]): void {
  if (pems.length === 0) return;
  // added in Node 24.5 / 22.19; the runner's node24 has it, an older local node may not
  if (typeof tls.setDefaultCACertificates !== 'function')
    throw new CaCertificateError(`needs Node 24.5 or later (this is ${process.version})`);
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ...pems]);
}
