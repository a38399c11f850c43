/**
 * `${NAME}` in the runbook's URLs (smoke.base-url, health-gate probes) is taken from the
 * environment when the release runs, so one runbook.yml serves every environment.
 */
export function expandEnv(
  text: string,
  env: NodeJS.ProcessEnv,
  fallback?: (name: string) => string,
): { text: string; missing: string[] } {
  const missing: string[] = [];
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    missing.push(name);
    return fallback ? fallback(name) : '';
  });
  return { text: out, missing };
}

/** Every string inside a value expanded; the names that were not set are collected. */
export function expandDeep(value: unknown, env: NodeJS.ProcessEnv, missing: string[]): unknown {
  if (typeof value === 'string') {
    const r = expandEnv(value, env);
    missing.push(...r.missing);
    return r.text;
  }
  if (Array.isArray(value)) return value.map((v) => expandDeep(v, env, missing));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, expandDeep(v, env, missing)]),
    );
  return value;
}
