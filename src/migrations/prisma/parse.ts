import type { Finding } from '../types.js';

export interface PrismaStatus {
  /** `N migrations found in prisma/migrations` */
  found?: number;
  pending: string[];
  failed: string[];
  /** applied in the database but missing from the migrations directory */
  missingLocally: string[];
  upToDate: boolean;
  /** no migrations table yet */
  noHistory: boolean;
}

const NAME = /^\s*(?:[-•]\s+)?([0-9A-Za-z][0-9A-Za-z_-]*)\s*$/;

function namesAfter(lines: string[], index: number): string[] {
  const out: string[] = [];
  for (let i = index + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === '') {
      if (out.length) break;
      continue;
    }
    const m = NAME.exec(l);
    if (!m) break;
    out.push(m[1]);
  }
  return out;
}

/** Parses the text of `prisma migrate status` (stdout and stderr together). */
export function parsePrismaStatus(text: string): PrismaStatus {
  const lines = text.split(/\r?\n/);
  const s: PrismaStatus = {
    pending: [],
    failed: [],
    missingLocally: [],
    upToDate: false,
    noHistory: false,
  };
  const found = /(\d+) migrations? found in /.exec(text);
  if (found) s.found = Number(found[1]);
  lines.forEach((line, i) => {
    const t = line.trim();
    // "Following migrations have ..." (or "Following migration have ..." for one); after a
    // divergence Prisma says "The migrations have not yet been applied:"
    if (/^(?:Following|The) migrations? ha(?:ve|s) not yet been applied:/.test(t))
      s.pending.push(...namesAfter(lines, i));
    if (/^Following migrations? ha(?:ve|s) failed:/.test(t)) s.failed.push(...namesAfter(lines, i));
    if (/^The migrations? from the database (?:are|is) not found locally/.test(t))
      s.missingLocally.push(...namesAfter(lines, i));
  });
  s.upToDate = /Database schema is up to date!/.test(text);
  s.noHistory =
    /No migration found in prisma\/migrations|The current database is not managed by Prisma Migrate/.test(
      text,
    );
  return s;
}

/**
 * `prisma migrate deploy`: the `Applying migration \`name\`` lines; on P3018 the
 * `Migration name:` of the one that failed (it did not apply) and the database error.
 */
export function parseDeployOutput(text: string): {
  applied: string[];
  nothingPending: boolean;
  failed?: string;
  error?: string;
} {
  const failed = /Migration name: (\S+)/.exec(text)?.[1];
  const applied = [...text.matchAll(/Applying migration `([^`]+)`/g)]
    .map((m) => m[1])
    .filter((n) => n !== failed);
  const dbError = /Database error:\s*\n(.+)/.exec(text)?.[1]?.trim();
  const code = /Error: (P\d{4})/.exec(text)?.[1];
  const error =
    dbError ??
    (code
      ? text
          .slice(text.indexOf(`Error: ${code}`))
          .split('\n')
          .slice(0, 3)
          .join(' ')
          .trim()
      : undefined);
  return { applied, nothingPending: /No pending migrations to apply\./.test(text), failed, error };
}

export function prismaFindings(s: PrismaStatus): Finding[] {
  const out: Finding[] = [];
  for (const f of s.failed) {
    out.push({
      code: 'failed',
      message: `migration ${f} failed earlier and is marked failed in _prisma_migrations (prisma migrate resolve)`,
    });
  }
  for (const m of s.missingLocally) {
    out.push({
      code: 'missing-file',
      message: `migration ${m} is applied in the database but missing from prisma/migrations`,
    });
  }
  return out;
}
