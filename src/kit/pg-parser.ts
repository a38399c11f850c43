import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type PgParser = typeof import('libpg-query');

let loaded: Promise<PgParser> | undefined;

/**
 * PostgreSQL's own parser (libpg-query: libpg_query compiled to WebAssembly), loaded on first
 * use only. Its Emscripten loader finds `libpg-query.wasm` through a free `__dirname`, which an
 * ESM bundle does not define: point it at the bundle's directory, where the build copies the
 * .wasm (scripts/build.mjs), or at the package in node_modules when run from source (tests).
 * See docs/architecture.md ("Bundles").
 */
export function loadPgParser(): Promise<PgParser> {
  loaded ??= (async () => {
    const g = globalThis as { __dirname?: string };
    if (g.__dirname === undefined) g.__dirname = wasmDirectory();
    return import('libpg-query');
  })().catch((err: unknown) => {
    loaded = undefined;
    throw new Error(`cannot load the PostgreSQL parser (libpg-query): ${String(err)}`);
  });
  return loaded;
}

function wasmDirectory(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  if (existsSync(join(here, 'libpg-query.wasm'))) return here;
  const pkg = createRequire(import.meta.url).resolve('libpg-query/package.json');
  return join(dirname(pkg), 'wasm');
}
