import { isIP } from 'node:net';
import { connect, type PeerCertificate } from 'node:tls';

/**
 * The server certificate of an https origin, read by a TLS handshake of its own.
 *
 * Why a separate connection rather than the fetch's own: Node's fetch (undici) hands back
 * a Response without its socket, so the peer certificate is out of reach; undici's
 * dispatcher connect hook would reach it, but only by replacing the global dispatcher
 * the HTTP client owns (proxies, CA, cancellation). One extra handshake per origin per
 * run is cheap and keeps the probe independent: it is cached by origin and shared by
 * every check of the run. The handshake uses SNI = the URL's host name and the same
 * trust store as fetch (the default CA certificates, plus the action's `ca-cert`), but
 * does not reject an untrusted certificate: it reports it, so an expired or foreign
 * certificate is named in the failure. Through a proxy the probe still connects
 * directly: TLS expectations behind a proxy are not supported.
 */

export interface CertificateInfo {
  /** `CN=..., O=...` */
  subject: string;
  issuer: string;
  validFrom: Date;
  validTo: Date;
  /** the subjectAltName text, e.g. `DNS:example.com, IP Address:127.0.0.1` */
  altNames: string;
  fingerprint256: string;
  /** whether the chain verified against the trust store */
  authorized: boolean;
  authorizationError?: string;
  /** for tls.checkServerIdentity */
  peer: PeerCertificate;
}

export class TlsProbeError extends Error {}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from `now` until the certificate's notAfter (negative once expired). */
export function daysLeft(cert: Pick<CertificateInfo, 'validTo'>, now = Date.now()): number {
  return Math.floor((cert.validTo.getTime() - now) / DAY_MS);
}

/** A certificate name object as `CN=a, O=b` (multi-valued attributes repeated). */
export function formatName(
  name: Record<string, string | string[] | undefined> | undefined,
): string {
  if (!name) return '';
  return Object.entries(name)
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => `${k}=${x}`),
    )
    .join(', ');
}

export function probeCertificate(url: URL, timeoutMs: number): Promise<CertificateInfo> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || 443);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      // SNI carries DNS names only (RFC 6066 §3)
      servername: isIP(host) === 0 ? host : undefined,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const fail = (message: string) => {
      socket.destroy();
      reject(new TlsProbeError(message));
    };
    const timer = setTimeout(() => fail(`TLS handshake timed out after ${timeoutMs}ms`), timeoutMs);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(err.code ? `${err.message} (${err.code})` : err.message);
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const peer = socket.getPeerCertificate();
      socket.end();
      if (!peer || Object.keys(peer).length === 0) {
        reject(new TlsProbeError('the server sent no certificate'));
        return;
      }
      const authError = socket.authorizationError;
      resolve({
        subject: formatName(peer.subject as unknown as Record<string, string>),
        issuer: formatName(peer.issuer as unknown as Record<string, string>),
        validFrom: new Date(peer.valid_from),
        validTo: new Date(peer.valid_to),
        altNames: peer.subjectaltname ?? '',
        fingerprint256: peer.fingerprint256,
        authorized: socket.authorized,
        authorizationError: authError ? String(authError) : undefined,
        peer,
      });
    });
  });
}

/** One probe per origin per run, shared by the checks (a failed probe is not cached). */
export class TlsProbe {
  private readonly cache = new Map<string, Promise<CertificateInfo>>();

  constructor(
    private readonly probe: (
      url: URL,
      timeoutMs: number,
    ) => Promise<CertificateInfo> = probeCertificate,
  ) {}

  certificate(url: URL, timeoutMs: number): Promise<CertificateInfo> {
    const key = url.origin;
    let p = this.cache.get(key);
    if (!p) {
      p = this.probe(url, timeoutMs);
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }
}
