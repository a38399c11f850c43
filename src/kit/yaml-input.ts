import { parse as parseYaml, YAMLParseError } from 'yaml';
import { InputError } from './errors.js';
import { raw, type Common } from './inputs.js';
import { redact } from './secrets.js';

// Kept apart from inputs.ts so that actions which read no YAML do not load the parser.

/** A YAML (or JSON) value; undefined when the input is empty. */
export function getYaml(name: string, opts: Common = {}): unknown {
  const value = raw(name, opts);
  if (value === '') return undefined;
  return parseYamlText(name, value);
}

export function parseYamlText(name: string, text: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      const first = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new InputError(name, `is not valid YAML${where}: ${redact(first)}`);
    }
    throw err;
  }
}
