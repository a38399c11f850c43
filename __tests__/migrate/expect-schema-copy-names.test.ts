import { describe, expect, test } from '@jest/globals';
import { copyName, urlWithDatabase } from '../../src/db/postgres-schema-copy.js';
import { databaseUrlForTool, parseDatabaseUrl } from '../../src/db/url.js';

/**
 * The dry run's scratch database must be the only one the migration tools reach: their
 * DATABASE_URL is the live URL with the database replaced, never the live one.
 */
describe('expect-schema dry run: the scratch database name and URL', () => {
  test('the copy name keeps the live name (cut to 40 bytes) and stays within 63 bytes', () => {
    expect(copyName('shop')).toMatch(/^shop_dryrun_[0-9a-f]{8}$/);
    const long = copyName('ä'.repeat(60));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^(ä){20}_dryrun_[0-9a-f]{8}$/);
    expect(copyName('shop')).not.toBe(copyName('shop'));
  });

  test.each([
    [
      'postgres://app:p%40ss@db.internal:5432/shop?sslmode=verify-full',
      'postgres://app:p%40ss@db.internal:5432/shop_dryrun_0a1b2c3d?sslmode=verify-full',
    ],
    // libpq and SQLAlchemy would let dbname= override the path: it goes
    [
      'postgresql://app@db.internal/shop?dbname=shop&application_name=x',
      'postgresql://app@db.internal/shop_dryrun_0a1b2c3d?application_name=x',
    ],
    ['mysql://root:pw@127.0.0.1:3306/shop', 'mysql://root:pw@127.0.0.1:3306/shop_dryrun_0a1b2c3d'],
  ])('%s -> %s', (live, copy) => {
    expect(urlWithDatabase(live, 'shop_dryrun_0a1b2c3d')).toBe(copy);
  });

  test('the tools get the copy in DATABASE_URL, with the rest of the URL as given', () => {
    const live = parseDatabaseUrl(
      'database-url',
      'postgres://app:secret@127.0.0.1:5432/shop?sslmode=disable',
      process.cwd(),
    );
    if (live.engine !== 'postgres') throw new Error('expected a postgres target');
    const copy = {
      ...live,
      database: 'shop_dryrun_1',
      url: urlWithDatabase(live.url, 'shop_dryrun_1'),
    };
    expect(databaseUrlForTool(copy, 'alembic')).toBe(
      'postgres://app:secret@127.0.0.1:5432/shop_dryrun_1?sslmode=disable',
    );
    expect(urlWithDatabase(undefined, 'x')).toBeUndefined();
  });
});
