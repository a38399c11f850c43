import { Transform, type TransformCallback } from 'node:stream';

/**
 * The roles a pg_dump SQL script names, and a filter that leaves out the statements naming
 * roles the target server lacks. pg_dump writes each OWNER TO / GRANT / REVOKE / ALTER
 * DEFAULT PRIVILEGES statement on one line of its own, so a line scanner that skips COPY
 * data blocks reads them exactly. Pure: unit-tested without a server.
 */

export interface RoleRefs {
  /** roles objects are owned by (ALTER ... OWNER TO, ALTER DEFAULT PRIVILEGES FOR ROLE) */
  owners: Set<string>;
  /** roles privileges are granted to or revoked from */
  grantees: Set<string>;
}

/** Identifiers of a comma list: `"Quoted ""x"""`, bare names (folded to lower case), PUBLIC left out. */
export function parseRoleList(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /[\s,]/.test(text[i])) i++;
    if (i >= text.length) break;
    if (text[i] === '"') {
      let name = '';
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') {
          name += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else name += text[i++];
      }
      out.push(name);
    } else {
      let word = '';
      while (i < text.length && !/[\s,]/.test(text[i])) word += text[i++];
      const lower = word.toLowerCase();
      if (lower !== 'public' && lower !== '') out.push(lower);
    }
  }
  return out;
}

const OWNER_TO = /^ALTER [A-Z ]+ .+ OWNER TO (.+);$/;
const DEFAULT_PRIVS = /^ALTER DEFAULT PRIVILEGES FOR ROLE ((?:"(?:[^"]|"")+"|[^\s"]+)) /;
const GRANT = /^GRANT .+ TO (.+?)(?: WITH (?:GRANT|ADMIN) OPTION)?(?: GRANTED BY .+)?;$/;
const REVOKE = /^REVOKE .+ FROM (.+?)(?: GRANTED BY .+)?(?: CASCADE| RESTRICT)?;$/;

/** The role references of one statement line of a pg_dump script. */
export function roleRefsOfLine(line: string): { owners: string[]; grantees: string[] } {
  const owner = OWNER_TO.exec(line);
  if (owner) return { owners: parseRoleList(owner[1]), grantees: [] };
  let owners: string[] = [];
  let rest = line;
  const dp = DEFAULT_PRIVS.exec(line);
  if (dp) {
    owners = parseRoleList(dp[1]);
    rest = line.slice(line.indexOf(' GRANT ') >= 0 ? line.indexOf(' GRANT ') + 1 : 0);
    const rv = line.indexOf(' REVOKE ');
    if (rv >= 0 && !rest.startsWith('GRANT ')) rest = line.slice(rv + 1);
  }
  const g = GRANT.exec(rest) ?? REVOKE.exec(rest);
  return { owners, grantees: g ? parseRoleList(g[1]) : [] };
}

/** `COPY ... FROM stdin;` starts a data block that runs until a line `\.`. */
const COPY_START = /^COPY .+ FROM stdin;$/;

/** Splits chunks into lines, tracking COPY blocks so data rows are never read as statements. */
class ScriptLines {
  private partial = '';
  private inCopy = false;

  /** Calls `onLine(line, isStatement)` for every complete line of the chunk. */
  push(chunk: string, onLine: (line: string, isStatement: boolean) => void): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.line(line, onLine);
  }

  end(onLine: (line: string, isStatement: boolean) => void): void {
    if (this.partial !== '') this.line(this.partial, onLine);
    this.partial = '';
  }

  private line(line: string, onLine: (line: string, isStatement: boolean) => void): void {
    if (this.inCopy) {
      if (line === '\\.') this.inCopy = false;
      onLine(line, false);
      return;
    }
    if (COPY_START.test(line)) this.inCopy = true;
    onLine(line, true);
  }
}

/** Collects the role references of a script fed in chunks. */
export class RoleScanner {
  readonly refs: RoleRefs = { owners: new Set(), grantees: new Set() };
  private readonly lines = new ScriptLines();

  push(chunk: Buffer | string): void {
    this.lines.push(chunk.toString(), (l, s) => this.read(l, s));
  }

  end(): RoleRefs {
    this.lines.end((l, s) => this.read(l, s));
    return this.refs;
  }

  private read(line: string, isStatement: boolean): void {
    if (!isStatement) return;
    const r = roleRefsOfLine(line);
    for (const o of r.owners) this.refs.owners.add(o);
    for (const g of r.grantees) this.refs.grantees.add(g);
  }
}

/** Whether a statement line names one of `skip` (and so must be left out). */
export function namesSkippedRole(line: string, skip: ReadonlySet<string>): boolean {
  const r = roleRefsOfLine(line);
  return [...r.owners, ...r.grantees].some((x) => skip.has(x));
}

/**
 * A stream filter over a pg_dump SQL script that drops the statement lines naming a role of
 * `skip` (the objects then belong to the restoring user, the privilege is not granted). COPY
 * data passes through untouched. Works on bytes: a multi-byte character split across chunks
 * is only decoded once its line is complete.
 */
export function roleFilter(skip: ReadonlySet<string>): Transform {
  let partial = Buffer.alloc(0);
  let inCopy = false;
  const handle = (line: Buffer, push: (b: Buffer) => void): void => {
    if (inCopy) {
      if (line.length === 2 && line[0] === 0x5c && line[1] === 0x2e) inCopy = false;
      push(line);
      return;
    }
    const text = line.toString('utf8');
    if (COPY_START.test(text)) inCopy = true;
    else if (skip.size > 0 && namesSkippedRole(text, skip)) return;
    push(line);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      let data = partial.length > 0 ? Buffer.concat([partial, chunk]) : chunk;
      const out: Buffer[] = [];
      const push = (b: Buffer): void => {
        out.push(b, NEWLINE);
      };
      let nl = data.indexOf(0x0a);
      while (nl >= 0) {
        handle(data.subarray(0, nl), push);
        data = data.subarray(nl + 1);
        nl = data.indexOf(0x0a);
      }
      partial = Buffer.from(data);
      cb(null, out.length > 0 ? Buffer.concat(out) : undefined);
    },
    flush(cb: TransformCallback) {
      const out: Buffer[] = [];
      if (partial.length > 0) handle(partial, (b) => out.push(b));
      cb(null, out.length > 0 ? Buffer.concat(out) : undefined);
    },
  });
}

const NEWLINE = Buffer.from('\n');
