// Shared-access signatures for the signed URLs: an HMAC over the blob name, permissions and
// expiry, so a client that mangles the URL (or reuses a read URL to write) is refused, as
// Azure would refuse it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const ACCOUNT = 'devstoreaccount1';

export class SasSigner {
  private readonly key = randomBytes(32);

  private mac(blobName: string, permissions: string, expiry: string): string {
    return createHmac('sha256', this.key)
      .update(`${blobName}\n${permissions}\n${expiry}`)
      .digest('base64');
  }

  /**
   * A signed URL for `blobName` (`<container>/<path>`) under `origin`.
   * `extra` adds response overrides such as `rscd` (Content-Disposition).
   */
  url(
    origin: string,
    blobName: string,
    permissions: string,
    ttlMs: number,
    extra: Record<string, string> = {},
  ): string {
    const expiry = new Date(Date.now() + ttlMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const params = new URLSearchParams({
      sv: '2025-11-05',
      sr: 'b',
      sp: permissions,
      se: expiry,
      ...extra,
      sig: this.mac(blobName, permissions, expiry),
    });
    const path = blobName.split('/').map(encodeURIComponent).join('/');
    return `${origin}/${ACCOUNT}/${path}?${params.toString()}`;
  }

  /** undefined when the signature allows `needed` on `blobName`, else why not. */
  verify(blobName: string, query: URLSearchParams, needed: string): string | undefined {
    const sig = query.get('sig');
    const sp = query.get('sp') ?? '';
    const se = query.get('se') ?? '';
    if (!sig) return 'Server failed to authenticate the request: no sig parameter.';
    const expected = Buffer.from(this.mac(blobName, sp, se));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return 'Server failed to authenticate the request: signature mismatch.';
    }
    if (Date.parse(se) < Date.now()) return 'Signed expiry time has passed.';
    if (!sp.includes(needed))
      return `This request is not authorized to perform this operation using this permission (needs '${needed}', has '${sp}').`;
    return undefined;
  }
}
