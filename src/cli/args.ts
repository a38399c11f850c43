/** A small argv parser: `--name value`, `--name=value`, repeated `--with k=v`, flags. */
export interface Args {
  positional: string[];
  options: Record<string, string[]>;
  flags: Set<string>;
}

export class ArgsError extends Error {}

export function parseArgs(argv: readonly string[], flagNames: readonly string[]): Args {
  const out: Args = { positional: [], options: {}, flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (flagNames.includes(name)) {
      if (eq >= 0) throw new ArgsError(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    const value: string | undefined = eq >= 0 ? a.slice(eq + 1) : argv[i + 1];
    if (eq < 0) {
      if (value === undefined || value.startsWith('--'))
        throw new ArgsError(`--${name} needs a value`);
      i++;
    }
    (out.options[name] ??= []).push(value);
  }
  return out;
}

/** The single value of an option; repeated options are an error. */
export function single(args: Args, name: string): string | undefined {
  const v = args.options[name];
  if (!v) return undefined;
  if (v.length > 1) throw new ArgsError(`--${name} is given ${v.length} times`);
  return v[0];
}

export function checkKnown(args: Args, known: readonly string[]): void {
  for (const k of Object.keys(args.options))
    if (!known.includes(k))
      throw new ArgsError(`unknown option --${k}; known: ${known.map((x) => `--${x}`).join(', ')}`);
}
