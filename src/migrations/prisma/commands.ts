/**
 * argv builders for the Prisma CLI (pure). `npx --no-install` never downloads a CLI the
 * project does not have; the database URL reaches Prisma only through the schema's
 * `env("DATABASE_URL")`, never argv.
 */
export interface PrismaCommandOptions {
  /** prisma/schema.prisma, relative to the project directory */
  schema: string;
  /** the launcher; default npx */
  npx?: string;
}

function base(o: PrismaCommandOptions): string[] {
  return [o.npx ?? 'npx', '--no-install', 'prisma'];
}

export const prismaCommands = {
  status: (o: PrismaCommandOptions): string[] => [
    ...base(o),
    'migrate',
    'status',
    '--schema',
    o.schema,
  ],
  deploy: (o: PrismaCommandOptions): string[] => [
    ...base(o),
    'migrate',
    'deploy',
    '--schema',
    o.schema,
  ],
  /** the SQL that takes the live database to the schema: the plan's preview */
  diffScript: (o: PrismaCommandOptions): string[] => [
    ...base(o),
    'migrate',
    'diff',
    '--from-schema-datasource',
    o.schema,
    '--to-schema-datamodel',
    o.schema,
    '--script',
  ],
};
