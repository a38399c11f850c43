/** argv builders for alembic, run as `<python> -m alembic` (pure argv builders: docs/architecture.md, Layout). */

export interface AlembicCommandOptions {
  python: string;
  /** alembic.ini, relative to the project directory */
  config?: string;
}

function base(o: AlembicCommandOptions): string[] {
  return [o.python, '-m', 'alembic', ...(o.config ? ['-c', o.config] : [])];
}

export const alembicCommands = {
  current: (o: AlembicCommandOptions): string[] => [...base(o), 'current'],
  heads: (o: AlembicCommandOptions): string[] => [...base(o), 'heads'],
  history: (o: AlembicCommandOptions): string[] => [...base(o), 'history'],
  upgrade: (o: AlembicCommandOptions, target: string): string[] => [...base(o), 'upgrade', target],
  /** offline SQL of the upgrade from `from` (undefined: from base) to `to` */
  upgradeSql: (o: AlembicCommandOptions, from: string | undefined, to: string): string[] => [
    ...base(o),
    'upgrade',
    from ? `${from}:${to}` : to,
    '--sql',
  ],
  downgrade: (o: AlembicCommandOptions, revision: string | null): string[] => [
    ...base(o),
    'downgrade',
    revision ?? 'base',
  ],
};
