import { CheckReader, isObj, VARIABLE_NAME, type Path } from './check-reader.js';
import { compileJsonPath, JsonPathError } from './jsonpath.js';
import { checkRegex, PredicateSpecError } from './predicates.js';
import type { CaptureSource, CaptureSpec } from './check-types.js';

/**
 * A check's `capture:` map: variable -> where to read it.
 *   $.json.path              a JSONPath into the body
 *   header:Name              a response header (the first Set-Cookie line for Set-Cookie)
 *   cookie:name              a cookie the response set (on any hop), else the jar's
 *   regex:/pattern/          the first group (or the whole match) in the body
 *   regex:header:Name:/p/    the same in a header's value; each Set-Cookie line on its own
 */

const FORMS = 'a JSONPath, header:Name, cookie:name, regex:pattern or regex:header:Name:pattern';
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 6265 cookie-name: a token */
const COOKIE_NAME = HEADER_NAME;

export function tryRegex(r: CheckReader, text: string, at: Path, what: string): void {
  try {
    checkRegex(text, what);
  } catch (err) {
    if (!(err instanceof PredicateSpecError)) throw err;
    r.problem(at, err.message);
  }
}

function readSource(
  r: CheckReader,
  variable: string,
  spec: string,
  at: Path,
): CaptureSource | undefined {
  const what = `capture '${variable}'`;
  if (spec.startsWith('header:')) {
    const name = spec.slice('header:'.length).trim();
    if (name === '') r.problem(at, `${what}: header: needs a header name`);
    else return { kind: 'header', name };
    return undefined;
  }
  if (spec.startsWith('cookie:')) {
    const name = spec.slice('cookie:'.length).trim();
    if (!COOKIE_NAME.test(name))
      r.problem(at, `${what}: cookie: needs a cookie name (such as cookie:csrftoken)`);
    else return { kind: 'cookie', name };
    return undefined;
  }
  if (spec.startsWith('regex:')) {
    const rest = spec.slice('regex:'.length);
    // `regex:header:Name:pattern`: a header name is a token, so it cannot hold a colon
    const inHeader = /^header:([^:]*):(.*)$/s.exec(rest);
    if (inHeader) {
      const [, name, pattern] = inHeader;
      if (!HEADER_NAME.test(name)) {
        r.problem(
          at,
          `${what}: regex:header: needs a header name, as in regex:header:Location:/id=(\\d+)/`,
        );
        return undefined;
      }
      tryRegex(r, pattern, at, `${what} regex`);
      return { kind: 'regex', pattern, header: name };
    }
    tryRegex(r, rest, at, `${what} regex`);
    return { kind: 'regex', pattern: rest };
  }
  try {
    return { kind: 'json', path: compileJsonPath(spec) };
  } catch (err) {
    if (!(err instanceof JsonPathError)) throw err;
    r.problem(at, `${what}: ${err.message}`);
    return undefined;
  }
}

export function readCaptures(r: CheckReader, v: unknown, secretList: unknown): CaptureSpec[] {
  const out: CaptureSpec[] = [];
  if (v !== undefined && v !== null && !isObj(v))
    r.problem(['capture'], `'capture' must be a map of variable: ${FORMS}`);
  for (const [variable, spec] of Object.entries(isObj(v) ? v : {})) {
    const at: Path = ['capture', variable];
    if (!VARIABLE_NAME.test(variable) || variable === 'env') {
      r.problem(
        at,
        `capture name '${variable}' is not a valid variable name (letters, digits, _ and -; not 'env')`,
        true,
      );
      continue;
    }
    if (typeof spec !== 'string' || spec.trim() === '') {
      r.problem(at, `capture '${variable}' must be ${FORMS}`);
      continue;
    }
    const source = readSource(r, variable, spec, at);
    if (source) out.push({ variable, source, secret: false });
  }
  const secrets =
    secretList === undefined || secretList === null
      ? []
      : Array.isArray(secretList)
        ? secretList
        : [secretList];
  for (const [i, name] of secrets.entries()) {
    const c = out.find((x) => x.variable === name);
    if (c) c.secret = true;
    else
      r.problem(
        ['secret-captures', ...(Array.isArray(secretList) ? [i] : [])],
        `secret-captures names '${String(name)}', which this check does not capture`,
      );
  }
  return out;
}
