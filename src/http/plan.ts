import { CheckFileError, type SchemaProblem } from './check-schema.js';
import type { CheckSpec } from './check-types.js';
import { isEnvRef } from './template.js';

/**
 * Resolves every `{{name}}` of every check before a request is sent: a variable, a
 * secret, an environment variable that is set, or a value another check captures. A
 * capture makes the check that uses it wait for the one that takes it; a cycle is an error.
 */

export interface PlannedCheck {
  spec: CheckSpec;
  /** indices of the checks this one waits for: whose captures it uses, or that it needs */
  deps: number[];
  /** variable -> index of the check capturing it, for the captures this check uses */
  uses: Array<{ variable: string; from: number }>;
}

export interface KnownNames {
  variables: ReadonlySet<string>;
  secrets: ReadonlySet<string>;
  env: Readonly<Record<string, string | undefined>>;
}

export function planChecks(checks: readonly CheckSpec[], known: KnownNames): PlannedCheck[] {
  const problems: SchemaProblem[] = [];
  const capturedBy = new Map<string, number>();
  checks.forEach((c, i) => {
    for (const cap of c.captures) {
      const other = capturedBy.get(cap.variable);
      const at = { line: c.line, check: c.name };
      if (other !== undefined) {
        problems.push({
          ...at,
          message: `captures '${cap.variable}', which check '${checks[other].name}' captures too; use distinct names`,
        });
      } else if (known.variables.has(cap.variable) || known.secrets.has(cap.variable)) {
        problems.push({
          ...at,
          message: `captures '${cap.variable}', which is already a ${known.secrets.has(cap.variable) ? 'secret' : 'variable'}; use another name`,
        });
      } else capturedBy.set(cap.variable, i);
    }
  });

  const planned: PlannedCheck[] = checks.map((c) => {
    const uses: PlannedCheck['uses'] = [];
    for (const ref of c.refs) {
      const at = { line: c.refLines[ref] ?? c.line, check: c.name };
      if (isEnvRef(ref)) {
        const name = ref.slice('env.'.length);
        if (known.env[name] === undefined)
          problems.push({
            ...at,
            message: `uses {{${ref}}} but the environment variable ${name} is not set`,
          });
      } else if (capturedBy.has(ref)) {
        uses.push({ variable: ref, from: capturedBy.get(ref) as number });
      } else if (!known.variables.has(ref) && !known.secrets.has(ref)) {
        const names = [...known.variables, ...known.secrets, ...capturedBy.keys()];
        const hint = names.length > 0 ? `known: ${names.sort().join(', ')}` : 'none is defined';
        problems.push({
          ...at,
          message: `uses {{${ref}}}, which is not a variable, a secret or a capture of any check (${hint})`,
        });
      }
    }
    const needed = c.needs.map((n) => checks.findIndex((x) => x.name === n)).filter((i) => i >= 0);
    return {
      spec: c,
      uses,
      deps: [...new Set([...uses.map((u) => u.from), ...needed])].sort((a, b) => a - b),
    };
  });

  const cycle = findCycle(planned);
  if (cycle) {
    const steps = cycle.map((i, k) => {
      const next = cycle[(k + 1) % cycle.length];
      const variable = planned[i].uses.find((u) => u.from === next)?.variable;
      if (variable === undefined) return `'${checks[i].name}' needs '${checks[next].name}'`;
      return `'${checks[i].name}' uses {{${variable}}} from '${checks[next].name}'`;
    });
    problems.push({
      line: checks[cycle[0]].line,
      check: checks[cycle[0]].name,
      message: `dependency cycle: ${steps.join(', ')}`,
    });
  }
  if (problems.length > 0) throw new CheckFileError(problems);
  return planned;
}

/** A dependency cycle as check indices (each depends on the next), or undefined. */
function findCycle(planned: readonly PlannedCheck[]): number[] | undefined {
  const state = new Array<0 | 1 | 2>(planned.length).fill(0);
  const stack: number[] = [];
  const visit = (i: number): number[] | undefined => {
    state[i] = 1;
    stack.push(i);
    for (const d of planned[i].deps) {
      if (state[d] === 1) return stack.slice(stack.indexOf(d));
      if (state[d] === 0) {
        const found = visit(d);
        if (found) return found;
      }
    }
    stack.pop();
    state[i] = 2;
    return undefined;
  };
  for (let i = 0; i < planned.length; i++) {
    if (state[i] === 0) {
      const found = visit(i);
      if (found) return found;
    }
  }
  return undefined;
}
