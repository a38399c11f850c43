import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../kit/errors.js';
import {
  classifyFileName,
  compareVersions,
  DBMATE_MARKER,
  detectLayout,
  hasDbmateMarkers,
  sameVersion,
  type Layout,
  type SqlFile,
} from './layouts.js';

export {
  classifyFileName,
  compareVersions,
  sameVersion,
  type Layout,
  type SqlFile,
} from './layouts.js';

export interface SqlMigration {
  version: string;
  name: string;
  /** the up (or repeatable) file's name */
  file: string;
  /** of the whole file: editing either section of a dbmate file is a change */
  sha256: string;
  /** what apply runs: the whole file, or a dbmate file's up section */
  sql: string;
  /** the down file's name, when there is one */
  down?: string;
  /** a dbmate file's down section (line numbers kept: earlier lines are blank) */
  downSql?: string;
  /** `-- runbook:no-transaction`, or dbmate's `transaction:false` on the up section */
  noTransaction?: boolean;
  /** dbmate's `transaction:false` on the down section */
  downNoTransaction?: boolean;
  /** Flyway's `R__` files: re-run after the versioned ones whenever their checksum changes */
  repeatable?: boolean;
  /** a problem with the dbmate sections: the file is never run, check reports this */
  sectionError?: string;
}

export interface ScannedDir {
  layout: Layout;
  ups: SqlFile[];
  downs: SqlFile[];
  repeatables: SqlFile[];
  /** `.sql` files whose names do not follow the layout */
  invalid: string[];
}

/** Sorts and classifies a directory listing in a layout (pure, for tests). */
export function classifyListing(names: readonly string[], layout: Layout = 'runbook'): ScannedDir {
  const out: ScannedDir = { layout, ups: [], downs: [], repeatables: [], invalid: [] };
  for (const n of [...names].sort()) {
    const c = classifyFileName(n, layout);
    if (c === undefined) continue;
    if (c === 'invalid') out.invalid.push(n);
    else if (c.kind === 'up') out.ups.push(c);
    else if (c.kind === 'down') out.downs.push(c);
    else out.repeatables.push(c);
  }
  const byVersion = (a: SqlFile, b: SqlFile): number =>
    compareVersions(a.version, b.version) || a.file.localeCompare(b.file);
  out.ups.sort(byVersion);
  out.downs.sort(byVersion);
  return out;
}

export function sha256Of(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

function listDir(dir: string): string[] {
  try {
    if (!statSync(dir).isDirectory())
      throw new UserError(`migrations directory ${dir} is not a directory`);
    return readdirSync(dir);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`migrations directory ${dir} does not exist`);
  }
}

/** layout 'auto' (or undefined) detects it from the files. */
export function scanDir(dir: string, layout?: Layout | 'auto'): ScannedDir {
  const names = listDir(dir);
  const chosen =
    layout === undefined || layout === 'auto'
      ? detectLayout(names, (f) => readFileSync(join(dir, f), 'utf8'))
      : layout;
  return classifyListing(names, chosen);
}

export interface DbmateSections {
  up: string;
  down?: string;
  upNoTransaction: boolean;
  downNoTransaction: boolean;
}

/**
 * Splits a dbmate file into its `-- migrate:up` and `-- migrate:down` sections. Each
 * section keeps its line numbers (the lines before it are left blank), so an error's line
 * is the file's line. Returns an error text when the markers are not one up, then at most
 * one down: such a file must never run at all, let alone whole.
 */
export function dbmateSections(sql: string): DbmateSections | string {
  const lines = sql.split('\n');
  const markers: Array<{ kind: string; options: string; line: number }> = [];
  lines.forEach((text, i) => {
    DBMATE_MARKER.lastIndex = 0;
    const m = DBMATE_MARKER.exec(text);
    if (m) markers.push({ kind: m[1].toLowerCase(), options: m[2], line: i });
  });
  const ups = markers.filter((m) => m.kind === 'up');
  const downs = markers.filter((m) => m.kind === 'down');
  if (ups.length !== 1) return `has ${ups.length} '-- migrate:up' markers (exactly one expected)`;
  if (downs.length > 1) return `has ${downs.length} '-- migrate:down' markers (at most one)`;
  if (downs.length && downs[0].line < ups[0].line)
    return `has '-- migrate:down' before '-- migrate:up'`;
  const section = (from: number, to: number): string =>
    `${'\n'.repeat(from + 1)}${lines.slice(from + 1, to).join('\n')}`;
  const upEnd = downs.length ? downs[0].line : lines.length;
  const noTx = (options: string): boolean => /\btransaction\s*:\s*false\b/i.test(options);
  const downText = downs.length ? section(downs[0].line, lines.length) : undefined;
  return {
    up: section(ups[0].line, upEnd),
    // an empty down section undoes nothing: revert refuses it like a missing down file
    down: downText !== undefined && hasStatements(downText) ? downText : undefined,
    upNoTransaction: noTx(ups[0].options),
    downNoTransaction: downs.length ? noTx(downs[0].options) : false,
  };
}

/** Whether text holds more than blank lines and `--` comments. */
function hasStatements(text: string): boolean {
  return text.split('\n').some((l) => l.trim() !== '' && !l.trim().startsWith('--'));
}

/** Reads the up and repeatable files (one per version; duplicates are check's business). */
export function loadMigrations(dir: string, scanned: ScannedDir): SqlMigration[] {
  const out: SqlMigration[] = [];
  for (const up of scanned.ups) {
    if (out.some((m) => sameVersion(m.version, up.version))) continue;
    const down = scanned.downs.find((d) => sameVersion(d.version, up.version));
    out.push({ ...readMigration(dir, up), down: down?.file });
  }
  for (const r of scanned.repeatables) out.push({ ...readMigration(dir, r), repeatable: true });
  return out;
}

function readMigration(dir: string, f: SqlFile): SqlMigration {
  const bytes = readFileSync(join(dir, f.file));
  const text = bytes.toString('utf8');
  const base = { version: f.version, name: f.name, file: f.file, sha256: sha256Of(bytes) };
  // markers mean dbmate sections in every layout: such a file is never run whole
  if (hasDbmateMarkers(text)) {
    const s = dbmateSections(text);
    if (typeof s === 'string') return { ...base, sql: '', sectionError: `${f.file} ${s}` };
    return {
      ...base,
      sql: s.up,
      downSql: s.down,
      noTransaction: s.upNoTransaction || wantsNoTransaction(s.up),
      downNoTransaction: s.downNoTransaction,
    };
  }
  return { ...base, sql: text, noTransaction: wantsNoTransaction(text) };
}

/** A file that starts with this comment runs outside a transaction (CREATE INDEX CONCURRENTLY). */
export function wantsNoTransaction(sql: string): boolean {
  return /^\s*--\s*runbook:no-transaction\b/i.test(sql);
}
