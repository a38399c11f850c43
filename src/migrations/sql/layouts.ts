/**
 * The file-naming conventions the sql tool understands. Whatever the layout, the database
 * side is the same: this tool's own tracking table (see actions/migrate/README.md, "Layouts").
 */
export const LAYOUTS = ['runbook', 'golang-migrate', 'flyway', 'dbmate'] as const;
export type Layout = (typeof LAYOUTS)[number];

/** One migration file, classified by its name. */
export interface SqlFile {
  /** repeatable: Flyway's `R__<desc>.sql`, re-run whenever its checksum changes */
  kind: 'up' | 'down' | 'repeatable';
  /** digits (`0003`), or dotted parts for Flyway (`1.2.3`); the description for repeatables */
  version: string;
  name: string;
  file: string;
}

const RUNBOOK_DOWN = /^(\d+)_(.+)\.down\.sql$/i;
const RUNBOOK_ROLLBACK = /^(\d+)_ROLLBACK_(.+)\.sql$/;
const NUMBERED_UP_SUFFIX = /^(\d+)_(.+)\.up\.sql$/i;
const NUMBERED = /^(\d+)_(.+)\.sql$/i;
// Flyway: `V1__x`, `V1.2__x`, `V1_2__x` (underscores are separators too), undo `U`, repeatable `R__`
const FLYWAY = /^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const FLYWAY_REPEATABLE = /^R__(.+)\.sql$/;

/** The version as stored and compared: Flyway's `1_2` is `1.2`. */
function flywayVersion(raw: string): string {
  return raw.replace(/_/g, '.');
}

/** Classifies one file name in a layout; undefined for files that are not `.sql`. */
export function classifyFileName(
  file: string,
  layout: Layout = 'runbook',
): SqlFile | 'invalid' | undefined {
  if (!/\.sql$/i.test(file)) return undefined;
  let m: RegExpExecArray | null;
  switch (layout) {
    case 'flyway':
      m = FLYWAY.exec(file);
      if (m) {
        const kind = m[1] === 'V' ? 'up' : 'down';
        return { kind, version: flywayVersion(m[2]), name: m[3], file };
      }
      m = FLYWAY_REPEATABLE.exec(file);
      if (m) return { kind: 'repeatable', version: `R__${m[1]}`, name: m[1], file };
      return 'invalid';
    case 'golang-migrate':
      m = NUMBERED_UP_SUFFIX.exec(file);
      if (m) return { kind: 'up', version: m[1], name: m[2], file };
      m = /^(\d+)_(.+)\.down\.sql$/i.exec(file);
      if (m) return { kind: 'down', version: m[1], name: m[2], file };
      return 'invalid';
    case 'dbmate':
      // one file per version holding both sections; a separate down file is not dbmate's
      if (RUNBOOK_DOWN.test(file)) return 'invalid';
      m = NUMBERED.exec(file);
      return m ? { kind: 'up', version: m[1], name: m[2], file } : 'invalid';
    case 'runbook':
      m = RUNBOOK_DOWN.exec(file) ?? RUNBOOK_ROLLBACK.exec(file);
      if (m) return { kind: 'down', version: m[1], name: m[2], file };
      // `.up.sql` is accepted here too, and the suffix is not part of the stored name
      m = NUMBERED_UP_SUFFIX.exec(file) ?? NUMBERED.exec(file);
      return m ? { kind: 'up', version: m[1], name: m[2], file } : 'invalid';
  }
}

/** How each layout's files are named, for error messages. */
export function namingHelp(layout: Layout): string {
  switch (layout) {
    case 'flyway':
      return 'V<version>__<description>.sql, U<version>__<description>.sql or R__<description>.sql';
    case 'golang-migrate':
      return '<version>_<name>.up.sql or <version>_<name>.down.sql';
    case 'dbmate':
      return '<version>_<name>.sql with -- migrate:up / -- migrate:down sections';
    case 'runbook':
      return '<version>_<name>.sql, <version>_<name>.down.sql or <version>_ROLLBACK_<name>.sql';
  }
}

/** dbmate's section markers: `-- migrate:up [transaction:false]`, `-- migrate:down`. */
export const DBMATE_MARKER = /^--\s*migrate:(up|down)\b(.*)$/gim;

export function hasDbmateMarkers(sql: string): boolean {
  DBMATE_MARKER.lastIndex = 0;
  return DBMATE_MARKER.test(sql);
}

/**
 * The layout of a directory, from its file names (and, for dbmate, the markers inside the
 * files). A directory mixing conventions gets the first match, and check then reports the
 * other files as misnamed.
 */
export function detectLayout(names: readonly string[], textOf: (file: string) => string): Layout {
  const sql = names.filter((n) => /\.sql$/i.test(n));
  if (sql.some((n) => FLYWAY.test(n) || FLYWAY_REPEATABLE.test(n))) return 'flyway';
  if (sql.some((n) => NUMBERED_UP_SUFFIX.test(n))) return 'golang-migrate';
  if (sql.some((n) => NUMBERED.test(n) && hasDbmateMarkers(textOf(n)))) return 'dbmate';
  return 'runbook';
}

export function isRepeatableVersion(version: string): boolean {
  return version.startsWith('R__');
}

function parts(v: string): bigint[] {
  const out = v.split('.').map((p) => BigInt(p));
  // 1.0 is 1: trailing zero parts do not make another version
  while (out.length > 1 && out[out.length - 1] === 0n) out.pop();
  return out;
}

/**
 * Versions compare part by part as numbers: `0010` sorts after `9`, `001` equals `1`, and
 * Flyway's `1.10` sorts after `1.9`.
 */
export function compareVersions(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i] ?? 0n;
    const q = y[i] ?? 0n;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

export function sameVersion(a: string, b: string): boolean {
  return compareVersions(a, b) === 0;
}

/** A version written the same way whatever its zeros: the key for duplicate detection. */
export function versionKey(v: string): string {
  return parts(v).join('.');
}

/** A valid `target` or previous-state version: digits, dotted for Flyway. */
export const VERSION_TEXT = /^\d+(\.\d+)*$/;
