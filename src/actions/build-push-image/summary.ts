import { formatDuration } from '../../kit/durations.js';
import { flush, heading, keyValueTable, resultTable } from '../../kit/summary.js';
import type { Cell } from '../../kit/summary.js';
import type { PromoteResult } from '../../image/promote.js';

/** What the action did, filled in as it goes, so a failure still reports the known part. */
export interface Report {
  image: string;
  refs: string[];
  promoteTag?: string;
  previousTag: string;
  builder?: string;
  credentialSource?: string;
  digest?: string;
  imageId?: string;
  labels?: Record<string, string>;
  buildMs?: number;
  totalMs?: number;
  promotion?: PromoteResult;
  /** the run was cancelled: what the registry holds now */
  cancelled?: string;
}

function promotionText(r: Report): string {
  const p = r.promotion;
  if (r.promoteTag === undefined) return 'not asked (promote-tag is empty)';
  if (!p) return `${r.promoteTag}: not done`;
  if (!p.moved) return `${p.tag} already pointed to this digest; nothing moved`;
  const kept = p.previousTagged ? `; ${r.previousTag} now holds ${p.previousDigest}` : '';
  return `${p.tag} moved to this digest${p.previousDigest ? ` from ${p.previousDigest}` : ' (new tag)'}${kept}`;
}

export async function writeSummary(r: Report): Promise<void> {
  heading('build-push-image');
  const rows: Array<[string, Cell]> = [
    ['Image', r.image],
    ['Tags', r.refs.map((ref) => ref.slice(ref.lastIndexOf(':') + 1)).join(', ')],
    ['Digest', r.digest],
    [
      'Builder',
      r.builder ?? (r.digest && !r.buildMs ? 'none (promotion of an existing digest)' : undefined),
    ],
    ['Registry login', r.credentialSource],
    ['Promotion', promotionText(r)],
    ['Previous digest', r.promotion?.previousDigest],
  ];
  if (r.buildMs !== undefined)
    rows.splice(4, 0, ['Build and push time', formatDuration(r.buildMs)]);
  if (r.imageId && !r.digest) rows.push(['Local image id', r.imageId]);
  if (r.cancelled) rows.push(['Cancelled', r.cancelled]);
  keyValueTable(rows);
  if (r.labels && Object.keys(r.labels).length > 0) {
    heading('Labels', 3);
    resultTable(
      ['Label', 'Value'],
      Object.entries(r.labels).map(([k, v]) => [k, v]),
    );
  }
  await flush();
}
