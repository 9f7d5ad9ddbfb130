import { describe, expect, it } from 'vitest';
import { channels } from '../../channels/registry.ts';
import { parseConfig, resolveDatabase } from '../config.ts';
import { ConfigError } from '../errors.ts';

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

describe('strict configuration', () => {
  const problemsOf = (raw: unknown): string[] => {
    try {
      parseConfig(raw, channels, 'strict.yaml', {});
      return [];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return [...err.problems];
    }
  };
  const drinks = { name: 'pl', kind: 'drinks2cash', apiKey: 'k' };

  it('rejects unknown keys at every level, each with its path and the key it probably meant', () => {
    const problems = problemsOf({
      databse: 'x.db',
      server: { prot: 8080 },
      connections: [{ ...drinks, apikey: 'k', http: { timeoutMS: 5 } }],
    });
    expect(problems).toEqual(expect.arrayContaining([
      'databse: unknown key (did you mean "database"?)',
      'server.prot: unknown key (known: host, port, responseCache)',
      'connections[0] (pl).apikey: unknown key (did you mean "apiKey"?)',
      'connections[0] (pl).http.timeoutMS: unknown key (did you mean "timeoutMs"?)',
    ]));
    expect(problems).toHaveLength(4);
  });

  it("makes every channel's connection entry strict, nested settings too", () => {
    const problems = problemsOf({ connections: [
      { name: 'e', kind: 'ecommd', apiToken: 't', referencePaths: { region: '/x/' } },
      { name: 'd', kind: 'alza-dropship', customerId: 1, supplierId: 1, supplierBranchId: 1, secret: 's', buyerApiUrl: 'http://x/api', availability: { autp: true } },
      { name: 't', kind: 'alza-trade', clientId: 'c', clientSecret: 's', clientSecrte: 's' },
      { name: 'o', kind: 'dropohs', baseUrl: 'http://x', token: 't', shopIDs: [1] },
    ] });
    expect(problems).toEqual([
      'connections[0] (e).referencePaths.region: unknown key (did you mean "regions"?)',
      'connections[1] (d).availability.autp: unknown key (did you mean "auto"?)',
      'connections[2] (t).clientSecrte: unknown key (did you mean "clientSecret"?)',
      'connections[3] (o).shopIDs: unknown key (did you mean "shopIds"?)',
    ]);
    // every registered channel, including any added later, rejects a key it does not know
    for (const kind of channels.kinds()) {
      const result = channels.schemaFor(kind)!.safeParse({ name: 'x', kind, surelyNotAKey: 1 });
      expect(result.success, kind).toBe(false);
      expect(result.error!.issues.some((i) => i.code === 'unrecognized_keys' && i.keys.includes('surelyNotAKey')), kind).toBe(true);
    }
  });

  it('checks schedules with croner at load: "5 minutes" and a cron that never fires are config errors', () => {
    const problems = problemsOf({ connections: [
      { ...drinks, name: 'a', schedule: '5 minutes' },
      { ...drinks, name: 'b', schedule: '0 0 30 2 *' },
      { ...drinks, name: 'c', schedule: '61 * * * *' },
      { ...drinks, name: 'd', schedule: '0s' },
    ] });
    expect(problems).toEqual([
      expect.stringMatching(/^connections\[0\] \(a\)\.schedule: must be an interval such as 30s, 5m, 1h or a cron expression such as "\*\/5 \* \* \* \*" \(cron: .*five or six/),
      'connections[1] (b).schedule: the cron expression "0 0 30 2 *" never runs',
      expect.stringMatching(/^connections\[2\] \(c\)\.schedule: .*minute/),
      'connections[3] (d).schedule: an interval must be longer than 0',
    ]);
    const ok = parseConfig({ connections: [
      { ...drinks, name: 'a', schedule: '*/5 * * * *' }, { ...drinks, name: 'b', schedule: '@hourly' }, { ...drinks, name: 'c', schedule: '90s' },
    ] }, channels, 'ok.yaml', {});
    expect(ok.connections.map((c) => c.schedule)).toEqual(['*/5 * * * *', '@hourly', '90s']);
  });

  it('checks time zones (IANA), URLs (http/https), durations and dates, and reports them all at once', () => {
    const problems = problemsOf({ connections: [{
      ...drinks, timeZone: 'Europe/Warshaw', baseUrl: 'ftp://drinks.example', overlap: '15 min', since: '2026-02-30',
    }, { name: 'o', kind: 'dropohs', baseUrl: 'mailto:x@example.com', token: 't', catalogMaxAge: 'a day' },
    { name: 'd', kind: 'alza-dropship', customerId: 1, supplierId: 1, supplierBranchId: 1, secret: 's', buyerApiUrl: 'file:///etc/passwd' }] });
    expect(problems).toEqual(expect.arrayContaining([
      'connections[0] (pl).timeZone: "Europe/Warshaw" is not an IANA time zone such as Europe/Warsaw (did you mean "Europe/Warsaw"?)',
      'connections[0] (pl).baseUrl: must be an http(s) URL',
      'connections[0] (pl).overlap: must be a duration such as 30s, 10m, 2h, 1d',
      'connections[0] (pl).since: is not a real calendar date',
      expect.stringMatching(/^connections\[1\] \(o\)\.baseUrl: must be an http\(s\) URL/),
      'connections[1] (o).catalogMaxAge: must be a duration such as 6h or 1d',
      'connections[2] (d).buyerApiUrl: must be an http(s) URL',
    ]));
    expect(parseConfig({ connections: [{ ...drinks, timeZone: 'Europe/Prague' }] }, channels, 'ok.yaml', {}).connections[0]!.timeZone).toBe('Europe/Prague');
  });

  it('lists connection problems even when the top level has its own, and suggests a kind', () => {
    const problems = problemsOf({ databse: 'x.db', connections: [{ name: 'a', kind: 'drinks2cahs' }, { ...drinks, apikey: 'x' }] });
    expect(problems).toEqual([
      'databse: unknown key (did you mean "database"?)',
      expect.stringMatching(/^connections\[0\] \(a\)\.kind: unknown kind "drinks2cahs" \(did you mean "drinks2cash"\?\); supported: /),
      'connections[1] (pl).apikey: unknown key (did you mean "apiKey"?)',
    ]);
  });
});

describe('the database path', () => {
  it('is resolved from the config file folder, not the working directory; URLs and absolute paths stay', () => {
    expect(resolveDatabase('./data/orderhub.db', '/etc/orderhub')).toBe('/etc/orderhub/data/orderhub.db');
    expect(resolveDatabase('sqlite://store.db', '/etc/orderhub')).toBe('sqlite:///etc/orderhub/store.db');
    expect(resolveDatabase('/var/lib/orderhub.db', '/etc/orderhub')).toBe('/var/lib/orderhub.db');
    expect(resolveDatabase('postgres://u:p@db/orderhub', '/etc/orderhub')).toBe('postgres://u:p@db/orderhub');
  });
});

describe('a missing ${VAR}', () => {
  it('is reported once, without the problem it causes in the value it leaves empty', () => {
    let problems: readonly string[] = [];
    try {
      parseConfig({ database: '${NO_DB}', connections: [{ name: 'pl', kind: 'drinks2cash', apiKey: '${NO_KEY}' }] }, channels, 'env.yaml', {});
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([
      'database: environment variable NO_DB is not set',
      'connections[0].apiKey: environment variable NO_KEY is not set',
    ]);
  });
});
