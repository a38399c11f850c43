import type { AlterTableCmd, ColumnDef, Constraint, Node, RangeVar, TypeName } from '@pgsql/types';
import type { Statement } from '../sql/statements.js';

/** One rule hit on one statement, before suppression and configuration. */
export interface Hit {
  rule: string;
  statement: Statement;
  /** the table the statement locks or changes, `schema.name` or `name` */
  table?: string;
  /** what exactly, when the statement alone does not say it (a column, a function) */
  detail?: string;
}

// functions whose default makes ADD COLUMN rewrite the table (PostgreSQL >= 11)
const VOLATILE = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'txid_current',
  'setseed',
]);
const SMALL_INTS = new Set(['int2', 'int4', 'serial', 'serial2', 'serial4', 'smallserial']);
const SERIALS = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

function tableKey(r: RangeVar | undefined): string | undefined {
  if (!r?.relname) return undefined;
  return r.schemaname ? `${r.schemaname}.${r.relname}` : r.relname;
}

function typeOf(t: TypeName | undefined): string {
  const names = t?.names ?? [];
  const last = names[names.length - 1];
  return last && 'String' in last ? (last.String.sval ?? '') : '';
}

function constraintsOf(c: ColumnDef): Constraint[] {
  return (c.constraints ?? []).flatMap((n) => ('Constraint' in n ? [n.Constraint] : []));
}

function has(cs: Constraint[], type: string): Constraint | undefined {
  return cs.find((c) => c.contype === type);
}

/** Whether an expression calls a volatile function anywhere inside it. */
function callsVolatile(node: unknown): string | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  if (Array.isArray(node)) {
    for (const n of node) {
      const hit = callsVolatile(n);
      if (hit) return hit;
    }
    return undefined;
  }
  const rec = node as Record<string, unknown>;
  const call = rec.FuncCall as { funcname?: Node[] } | undefined;
  if (call) {
    const names = call.funcname ?? [];
    const last = names[names.length - 1];
    const name = last && 'String' in last ? (last.String.sval ?? '') : '';
    if (VOLATILE.has(name.toLowerCase())) return `${name}()`;
  }
  for (const v of Object.values(rec)) {
    const hit = callsVolatile(v);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * What one migration (a file, an Alembic revision, a Django migration) does that takes the
 * wrong lock or breaks the running application. Tables created in the same migration are
 * exempt where the lock does not matter: nobody uses them yet.
 */
export function analyze(statements: readonly Statement[], startsInTransaction = false): Hit[] {
  const hits: Hit[] = [];
  const created = new Set<string>();
  const isNew = (t: string | undefined): boolean =>
    t !== undefined && (created.has(t) || created.has(t.split('.').pop() ?? t));
  let lockTimeout = false;
  let inTransaction = startsInTransaction;
  let timeoutReported = false;

  for (const s of statements) {
    const node = s.node;
    if (!node) continue;
    const hit = (rule: string, table?: string, detail?: string): void => {
      hits.push({ rule, statement: s, table, detail });
    };
    // a statement that needs a strong lock on a table that is already in use
    const locking = (table: string | undefined): void => {
      if (lockTimeout || timeoutReported || isNew(table)) return;
      timeoutReported = true;
      hit('require-timeout-settings', table);
    };

    if ('VariableSetStmt' in node) {
      const v = node.VariableSetStmt;
      if (v.name === 'lock_timeout') lockTimeout = v.kind !== 'VAR_RESET' && !isZero(v.args);
    } else if ('TransactionStmt' in node) {
      const k = node.TransactionStmt.kind;
      if (k === 'TRANS_STMT_BEGIN' || k === 'TRANS_STMT_START') inTransaction = true;
      else if (k === 'TRANS_STMT_COMMIT' || k === 'TRANS_STMT_ROLLBACK') inTransaction = false;
    } else if ('CreateStmt' in node) {
      const c = node.CreateStmt;
      const table = tableKey(c.relation);
      if (table) created.add(table);
      const tablePk = (c.tableElts ?? [])
        .flatMap((e) =>
          'Constraint' in e && e.Constraint.contype === 'CONSTR_PRIMARY'
            ? (e.Constraint.keys ?? [])
            : [],
        )
        .map((k) => ('String' in k ? k.String.sval : undefined));
      for (const e of c.tableElts ?? []) {
        if (!('ColumnDef' in e)) continue;
        const col = e.ColumnDef;
        columnTypeRules(col, table, hit);
        const pk = has(constraintsOf(col), 'CONSTR_PRIMARY') || tablePk.includes(col.colname);
        if (pk && SMALL_INTS.has(typeOf(col.typeName)))
          hit('prefer-bigint-over-int', table, col.colname);
      }
    } else if ('IndexStmt' in node) {
      const ix = node.IndexStmt;
      const table = tableKey(ix.relation);
      if (ix.concurrent) {
        if (inTransaction) hit('ban-concurrent-index-creation-in-transaction', table);
      } else if (!isNew(table)) {
        hit('require-concurrent-index-creation', table);
        locking(table);
      }
    } else if ('DropStmt' in node) {
      const d = node.DropStmt;
      const names = (d.objects ?? []).map(objectName);
      if (d.removeType === 'OBJECT_INDEX' && !d.concurrent) {
        hit('require-concurrent-index-deletion', undefined, names.join(', '));
        locking(undefined);
      } else if (d.removeType === 'OBJECT_TABLE') {
        for (const n of names.filter((x) => !isNew(x))) hit('ban-drop-table', n);
      }
    } else if ('DropdbStmt' in node) {
      hit('ban-drop-database', undefined, node.DropdbStmt.dbname);
    } else if ('RenameStmt' in node) {
      const r = node.RenameStmt;
      const table = tableKey(r.relation);
      if (isNew(table)) continue;
      if (r.renameType === 'OBJECT_COLUMN') hit('renaming-column', table, r.subname);
      else if (r.renameType === 'OBJECT_TABLE') hit('renaming-table', table);
      else continue;
      locking(table);
    } else if ('AlterTableStmt' in node) {
      const a = node.AlterTableStmt;
      if (a.objtype !== 'OBJECT_TABLE') continue;
      const table = tableKey(a.relation);
      if (isNew(table)) {
        // a new table's columns still get the type rules
        for (const cmd of a.cmds ?? []) {
          if (
            'AlterTableCmd' in cmd &&
            cmd.AlterTableCmd.def &&
            'ColumnDef' in cmd.AlterTableCmd.def
          )
            columnTypeRules(cmd.AlterTableCmd.def.ColumnDef, table, hit);
        }
        continue;
      }
      for (const cmd of a.cmds ?? []) {
        if ('AlterTableCmd' in cmd) alterTableRules(cmd.AlterTableCmd, table, hit);
      }
      locking(table);
    }
  }
  return hits;
}

function isZero(args: Node[] | undefined): boolean {
  const a = args?.[0];
  if (!a || !('A_Const' in a)) return false;
  const c = a.A_Const;
  if (c.ival !== undefined) return (c.ival.ival ?? 0) === 0;
  if (c.sval !== undefined) return /^0\s*(ms|s|min)?$/.test(c.sval.sval ?? '');
  return false;
}

function objectName(n: Node): string {
  if ('List' in n)
    return (n.List.items ?? []).map((i) => ('String' in i ? i.String.sval : '')).join('.');
  if ('String' in n) return n.String.sval ?? '';
  return '';
}

type HitFn = (rule: string, table?: string, detail?: string) => void;

/** Type rules for a column, new table or not. */
function columnTypeRules(col: ColumnDef, table: string | undefined, hit: HitFn): void {
  const type = typeOf(col.typeName);
  if (type === 'varchar' && (col.typeName?.typmods ?? []).length > 0)
    hit('prefer-text-field', table, col.colname);
  if (type === 'timestamp') hit('prefer-timestamptz', table, col.colname);
}

function alterTableRules(cmd: AlterTableCmd, table: string | undefined, hit: HitFn): void {
  const def = cmd.def;
  switch (cmd.subtype) {
    case 'AT_AddColumn': {
      if (!def || !('ColumnDef' in def)) return;
      const col = def.ColumnDef;
      const cs = constraintsOf(col);
      const type = typeOf(col.typeName);
      columnTypeRules(col, table, hit);
      const dflt = has(cs, 'CONSTR_DEFAULT');
      const generated = has(cs, 'CONSTR_GENERATED') ?? has(cs, 'CONSTR_IDENTITY');
      if (has(cs, 'CONSTR_PRIMARY')) {
        hit('adding-serial-primary-key-field', table, col.colname);
        if (SMALL_INTS.has(type)) hit('prefer-bigint-over-int', table, col.colname);
      } else if (SERIALS.has(type) || generated) {
        hit(
          'adding-field-with-default',
          table,
          `${col.colname} (${SERIALS.has(type) ? type : 'generated'})`,
        );
      } else if (dflt) {
        const volatile = callsVolatile(dflt.raw_expr);
        if (volatile) hit('adding-field-with-default', table, `${col.colname} DEFAULT ${volatile}`);
      }
      if (has(cs, 'CONSTR_NOTNULL') && !dflt && !generated && !SERIALS.has(type))
        hit('adding-required-field', table, col.colname);
      if (has(cs, 'CONSTR_UNIQUE')) hit('disallowed-unique-constraint', table, col.colname);
      if (has(cs, 'CONSTR_FOREIGN')) hit('adding-foreign-key-constraint', table, col.colname);
      return;
    }
    case 'AT_AlterColumnType': {
      const col = def && 'ColumnDef' in def ? def.ColumnDef : undefined;
      const type = typeOf(col?.typeName);
      // to text or unbounded varchar is binary-coercible: no rewrite
      const free =
        type === 'text' || (type === 'varchar' && !(col?.typeName?.typmods ?? []).length);
      if (!free) hit('changing-column-type', table, cmd.name);
      if (col) columnTypeRules({ ...col, colname: cmd.name }, table, hit);
      return;
    }
    case 'AT_AddConstraint': {
      if (!def || !('Constraint' in def)) return;
      const c = def.Constraint;
      if (c.contype === 'CONSTR_FOREIGN' && !c.skip_validation)
        hit('adding-foreign-key-constraint', table, c.conname);
      else if (c.contype === 'CONSTR_CHECK' && !c.skip_validation)
        hit('constraint-missing-not-valid', table, c.conname);
      else if (c.contype === 'CONSTR_UNIQUE' && !c.indexname)
        hit('disallowed-unique-constraint', table, c.conname);
      else if (c.contype === 'CONSTR_PRIMARY' && !c.indexname)
        hit('adding-serial-primary-key-field', table, c.conname);
      return;
    }
    case 'AT_DropColumn':
      hit('ban-drop-column', table, cmd.name);
      return;
    default:
      return;
  }
}
