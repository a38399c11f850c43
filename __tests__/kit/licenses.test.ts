import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/run-action.js';

/**
 * Every bundle in dist/ ships the licenses of the packages compiled into it. A bundle is split
 * into chunks (lazy imports); each chunk's packages must be listed, not only the last chunk's
 * (scripts/build.mjs builds licenses.txt from the bundle's module list).
 */

const dist = join(repoRoot, 'dist');
const bundles = readdirSync(dist, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
  .map((d) => d.name);

function listed(name: string): Map<string, string> {
  const text = readFileSync(join(dist, name, 'licenses.txt'), 'utf8');
  // entries: "<package>\n<license>\n<text>\n", separated by a blank line
  const out = new Map<string, string>();
  for (const entry of text.split(/\n\n(?=[@a-z0-9][\w@./-]*\n)/)) {
    const [pkg, license] = entry.split('\n');
    out.set(pkg, license);
  }
  return out;
}

describe('licenses.txt of each bundle', () => {
  test.each(bundles.filter((b) => b !== 'cli'))(
    '%s: lists @actions/core (in the entry chunk) with its license',
    (name) => {
      expect(listed(name).get('@actions/core')).toBe('MIT');
    },
  );

  test('migrate: the packages of its lazily loaded chunks are listed too', () => {
    const packages = listed('migrate');
    // the PostgreSQL driver, the MySQL driver, the SQL parser and the YAML reader live in
    // different chunks of the bundle
    for (const pkg of ['pg', 'mysql2', 'libpg-query', 'yaml', '@actions/exec']) {
      expect([pkg, packages.has(pkg)]).toEqual([pkg, true]);
    }
    expect(packages.get('pg')).toBe('MIT');
    const text = readFileSync(join(dist, 'migrate', 'licenses.txt'), 'utf8');
    expect(text).toContain('Permission is hereby granted, free of charge');
  });
});
