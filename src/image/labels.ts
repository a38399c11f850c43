/** The OCI annotation keys the action always sets on the image. */
export const LABEL_SOURCE = 'org.opencontainers.image.source';
export const LABEL_REVISION = 'org.opencontainers.image.revision';
export const LABEL_CREATED = 'org.opencontainers.image.created';

export interface Provenance {
  /** `https://github.com/acme/shop` */
  source?: string;
  /** the commit SHA */
  revision?: string;
  created: Date;
}

/**
 * The OCI labels first, then the user's: a user label with the same key wins, so a
 * workflow can still say where its source really lives.
 */
export function imageLabels(
  provenance: Provenance,
  user: ReadonlyArray<readonly [string, string]>,
): Array<[string, string]> {
  const merged = new Map<string, string>();
  if (provenance.source) merged.set(LABEL_SOURCE, provenance.source);
  if (provenance.revision) merged.set(LABEL_REVISION, provenance.revision);
  merged.set(LABEL_CREATED, provenance.created.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  for (const [k, v] of user) merged.set(k, v);
  return [...merged.entries()];
}

/** `KEY=value` lines (values may hold `=` and commas); returns pairs or the first bad line. */
export function parsePairs(lines: readonly string[]): {
  pairs: Array<[string, string]>;
  bad?: string;
} {
  const pairs: Array<[string, string]> = [];
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq <= 0) return { pairs, bad: line };
    pairs.push([line.slice(0, eq).trim(), line.slice(eq + 1)]);
  }
  return { pairs };
}
