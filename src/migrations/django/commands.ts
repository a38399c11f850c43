/** argv builders for Django's manage.py (pure). The settings module goes through DJANGO_SETTINGS_MODULE. */

export interface DjangoCommandOptions {
  python: string;
  /** manage.py, relative to the project directory */
  manage?: string;
}

function base(o: DjangoCommandOptions): string[] {
  return [o.python, o.manage ?? 'manage.py'];
}

/** `app` or `app` + `migration` (a name, a unique prefix or `zero`). */
export interface DjangoTarget {
  app: string;
  migration?: string;
}

function targetArgs(t?: DjangoTarget): string[] {
  if (!t) return [];
  return t.migration ? [t.app, t.migration] : [t.app];
}

export const djangoCommands = {
  showPlan: (o: DjangoCommandOptions): string[] => [
    ...base(o),
    'showmigrations',
    '--plan',
    '--verbosity',
    '2',
  ],
  migratePlan: (o: DjangoCommandOptions, t?: DjangoTarget): string[] => [
    ...base(o),
    'migrate',
    '--plan',
    ...targetArgs(t),
  ],
  sqlmigrate: (
    o: DjangoCommandOptions,
    app: string,
    migration: string,
    backwards = false,
  ): string[] => [...base(o), 'sqlmigrate', ...(backwards ? ['--backwards'] : []), app, migration],
  migrate: (o: DjangoCommandOptions, t?: DjangoTarget): string[] => [
    ...base(o),
    'migrate',
    ...targetArgs(t),
    '--noinput',
    '--verbosity',
    '2',
  ],
};

/** `app`, `app.0002_name` or `app:0002_name` (Django's own `migrate app 0002`). */
export function parseDjangoTarget(text: string): DjangoTarget | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:[.:]([A-Za-z0-9_]+))?$/.exec(text.trim());
  if (!m) return undefined;
  return m[2] ? { app: m[1], migration: m[2] } : { app: m[1] };
}
