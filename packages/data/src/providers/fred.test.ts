import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, jsonFixture, startFixtureServer } from './__fixtures__/server.ts';
import { describeTransport } from './__fixtures__/transport-suite.ts';
import { createFredSource } from './fred.ts';

const SECRET = 'abcdef0123456789abcdef0123456789';
const PATH = '/fred/series/observations';

describeTransport('FRED series observations', {
  vendor: 'FRED',
  secret: SECRET,
  path: PATH,
  success: jsonFixture('fred/observations-unrate.json'),
  schemaMismatch: jsonFixture('fred/observations-bad-value.json'),
  vendorError: { reply: jsonFixture('fred/error-series-does-not-exist.json', 400), code: 'NOT_FOUND' },
  create: (options, secret) => createFredSource({ ...options, ...(secret ? { apiKey: secret } : {}) }),
  call: (source, signal) =>
    source.getSeries({ seriesId: 'UNRATE', from: '2023-10-01', to: '2024-01-01', ...(signal ? { signal } : {}) }),
});

describe('createFredSource', () => {
  let server: FixtureServer;
  const base = () => ({ baseUrl: server.baseUrl, apiKey: SECRET, rateLimiter: null, sleep: async () => {} });
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('maps "." to null and dates each value by its realtime_start', async () => {
    server.route(PATH, jsonFixture('fred/observations-unrate.json'));
    const observations = await createFredSource(base()).getSeries({
      seriesId: 'UNRATE',
      from: '2023-10-01',
      to: '2024-01-01',
    });
    expect(observations).toEqual([
      { seriesId: 'UNRATE', date: '2023-10-01', value: 3.8, publishedAt: '2024-03-15T23:59:59.999Z', source: 'fred' },
      { seriesId: 'UNRATE', date: '2023-11-01', value: null, publishedAt: '2024-03-15T23:59:59.999Z', source: 'fred' },
      { seriesId: 'UNRATE', date: '2023-12-01', value: 3.7, publishedAt: '2024-03-15T23:59:59.999Z', source: 'fred' },
      { seriesId: 'UNRATE', date: '2024-01-01', value: 3.7, publishedAt: '2024-03-15T23:59:59.999Z', source: 'fred' },
    ]);
    const query = server.requests.at(-1)?.query;
    expect(query?.get('file_type')).toBe('json');
    expect(query?.get('api_key')).toBe(SECRET);
    expect(query?.get('observation_start')).toBe('2023-10-01');
    expect(query?.get('realtime_start')).toBeNull();
  });

  it('passes ALFRED vintage settings and keeps every vintage with its own publishedAt', async () => {
    server.route(PATH, jsonFixture('fred/observations-gdp-vintages.json'));
    const source = createFredSource({ ...base(), realtimeStart: '1776-07-04', realtimeEnd: '9999-12-31' });
    const observations = await source.getSeries({ seriesId: 'GDP', from: '2023-07-01', to: '2023-07-01' });
    expect(observations.map((observation) => [observation.value, observation.publishedAt])).toEqual([
      [27623.543, '2023-10-26T23:59:59.999Z'],
      [27644.463, '2023-11-29T23:59:59.999Z'],
      [27610.128, '2023-12-21T23:59:59.999Z'],
    ]);
    const query = server.requests.at(-1)?.query;
    expect(query?.get('realtime_start')).toBe('1776-07-04');
    expect(query?.get('realtime_end')).toBe('9999-12-31');
  });

  it('requests initial releases with output_type 4 over all real time by default', async () => {
    server.route(PATH, jsonFixture('fred/observations-gdp-vintages.json'));
    await createFredSource(base()).getSeries({ seriesId: 'GDP', from: '2023-07-01', to: '2023-07-01', outputType: 4 });
    const query = server.requests.at(-1)?.query;
    expect(query?.get('output_type')).toBe('4');
    expect(query?.get('realtime_start')).toBe('1776-07-04');
    expect(query?.get('realtime_end')).toBe('9999-12-31');
  });

  it('follows pages until count is reached', async () => {
    server.route(PATH, jsonFixture('fred/observations-page-1.json'), jsonFixture('fred/observations-page-2.json'));
    const before = server.count(PATH);
    const observations = await createFredSource({ ...base(), pageSize: 2 }).getSeries({
      seriesId: 'DFF',
      from: '2024-01-01',
      to: '2024-01-03',
    });
    expect(observations.map((observation) => observation.value)).toEqual([null, 5.33, 5.33]);
    expect(server.count(PATH) - before).toBe(2);
    expect(server.requests.at(-1)?.query.get('offset')).toBe('2');
  });

  it('maps an unregistered api_key to UNAUTHORIZED', async () => {
    server.route(PATH, jsonFixture('fred/error-api-key.json', 400));
    await expect(
      createFredSource(base()).getSeries({ seriesId: 'UNRATE', from: '2023-01-01', to: '2023-02-01' }),
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('validates series ids and ranges, and needs FRED_API_KEY', async () => {
    const source = createFredSource(base());
    await expect(source.getSeries({ seriesId: 'UN RATE', from: '2023-01-01', to: '2023-02-01' })).rejects.toMatchObject(
      {
        code: 'INVALID_INPUT',
      },
    );
    await expect(source.getSeries({ seriesId: 'UNRATE', from: '2023-03-01', to: '2023-02-01' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(() => createFredSource({ env: {} })).toThrow(/FRED_API_KEY/);
  });
});
