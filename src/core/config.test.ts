import { describe, expect, it } from 'vitest';
import { channels } from '../channels/registry.ts';
import { parseConfig } from './config.ts';
import { ConfigError } from './errors.ts';

describe('configuration', () => {
  it('fills defaults, interpolates ${ENV} and validates each connection by its kind', () => {
    const config = parseConfig(
      { connections: [{ name: 'pl', kind: 'drinks2cash', apiKey: '${D2C_KEY}', since: '2026-01-01' }] },
      channels, 'test.yaml', { D2C_KEY: 's3cret' },
    );
    expect(config.database).toBe('./data/orderhub.db');
    const c = config.connections[0] as Record<string, unknown>;
    expect(c).toMatchObject({ name: 'pl', kind: 'drinks2cash', apiKey: 's3cret', schedule: '5m', overlap: '15m', refreshOpenDays: 90, enabled: true });
    expect(c.http).toMatchObject({ maxAttempts: 6, concurrency: 4 });
  });

  it('reports every problem at once, each with its path', () => {
    let error: ConfigError | undefined;
    try {
      parseConfig(
        {
          database: 'x.db',
          connections: [
            { name: 'a', kind: 'drinks2cash', apiKey: '${MISSING}', since: '2026-1-1' },
            { name: 'b', kind: 'nope' },
            { name: 'a', kind: 'drinks2cash', apiKey: 'k' },
          ],
          extra: true,
        },
        channels, 'bad.yaml', {},
      );
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toMatch(/bad\.yaml/);
    expect(error!.problems.join('\n')).toMatch(/extra/);
  });

  it('names missing variables, bad dates, unknown kinds and duplicate names', () => {
    const problems = (() => {
      try {
        parseConfig(
          { connections: [
            { name: 'a', kind: 'drinks2cash', apiKey: '${MISSING}' },
            { name: 'b', kind: 'drinks2cash', apiKey: 'k', since: '2026-1-1' },
            { name: 'c', kind: 'nope' },
            { name: 'b', kind: 'drinks2cash', apiKey: 'k' },
          ] },
          channels, 'bad.yaml', {},
        );
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    })();
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/connections\[0\]\.apiKey: environment variable MISSING is not set/),
      expect.stringMatching(/connections\[1\] \(b\)\.since: must be a date YYYY-MM-DD/),
      expect.stringMatching(/connections\[2\] \(c\)\.kind: unknown kind "nope"; supported: .*drinks2cash/),
      expect.stringMatching(/connections\[3\] \(b\)\.name: "b" is used twice/),
    ]));
  });
});
