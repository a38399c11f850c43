import { describe, expect, test } from '@jest/globals';
import { formatDuration, parseDuration } from '../../src/kit/durations.js';
import { formatSize, parseSize } from '../../src/kit/sizes.js';

describe('parseDuration', () => {
  test.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s', 3_723_000],
    ['1.5s', 1500],
    ['0', 0],
    ['0s', 0],
    [' 2s ', 2000],
  ])('%s -> %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  test.each(['', '30', '-1m', 'abc', '5 m', '1m30', 's', '1x', '1m-30s'])(
    '%j is not a duration',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
  test('formatDuration', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(12_340)).toBe('12.3s');
    expect(formatDuration(245_000)).toBe('4m 05s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
  });
});

describe('parseSize', () => {
  test.each([
    ['512', 512],
    ['0', 0],
    ['10KB', 10_000],
    ['10kb', 10_000],
    ['5MiB', 5 * 1024 * 1024],
    ['1.5 GiB', 1.5 * 1024 ** 3],
    ['2MB', 2_000_000],
    ['7B', 7],
  ])('%s -> %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
  test.each(['', '-1', 'ten', '5XB', '5 M i B'])('%j is not a size', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });
  test('formatSize', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(200 * 1024 * 1024)).toBe('200.0 MiB');
  });
});
