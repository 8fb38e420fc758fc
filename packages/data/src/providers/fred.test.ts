import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, jsonFixture, jsonReply, startFixtureServer } from './__fixtures__/server.ts';
import { describeTransport } from './__fixtures__/transport-suite.ts';
import { coalesceVintages, createFredSource } from './fred.ts';

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

  // FRED docs checked: https://fred.stlouisfed.org/docs/api/fred/series_observations.html (realtime_start,
  // realtime_end, output_type, error format) and https://fred.stlouisfed.org/docs/api/fred/series_vintagedates.html
  // (`vintage_dates` array, limit up to 10000). The 400 body is FRED's wording for a real-time period with more than
  // 2000 vintage dates (the case of every daily series, DGS10 included, over 1776-07-04 .. 9999-12-31).
  it('splits a DGS10 request that spans more than 2000 vintage dates and joins the windows', async () => {
    const vintages: string[] = [];
    for (let t = Date.UTC(2013, 0, 2); t <= Date.UTC(2025, 5, 30); t += 86_400_000) {
      const day = new Date(t).getUTCDay();
      if (day !== 0 && day !== 6) vintages.push(new Date(t).toISOString().slice(0, 10));
    }
    // One observation revised once: 4.41 from 2024-06-04, 4.42 from 2024-06-11 on.
    const history = [
      { date: '2024-06-03', value: '4.41', realtime_start: '2024-06-04', realtime_end: '2024-06-10' },
      { date: '2024-06-03', value: '4.42', realtime_start: '2024-06-11', realtime_end: '9999-12-31' },
    ];
    server.route(PATH, (request) => {
      const start = request.query.get('realtime_start') as string;
      const end = request.query.get('realtime_end') as string;
      const inWindow = vintages.filter((date) => date >= start && date <= end).length;
      if (inWindow > 2000) return jsonFixture('fred/error-too-many-vintages.json', 400);
      // FRED clips each real-time period to the requested one.
      const observations = history
        .filter((row) => row.realtime_start <= end && row.realtime_end >= start)
        .map((row) => ({
          ...row,
          realtime_start: [row.realtime_start, start].sort()[1] as string,
          realtime_end: [row.realtime_end, end].sort()[0] as string,
        }));
      return jsonReply({
        realtime_start: start,
        realtime_end: end,
        count: observations.length,
        offset: 0,
        limit: 100000,
        observations,
      });
    });
    server.route('/fred/series/vintagedates', (request) =>
      jsonReply({
        realtime_start: request.query.get('realtime_start'),
        realtime_end: request.query.get('realtime_end'),
        order_by: 'vintage_date',
        sort_order: 'asc',
        count: vintages.length,
        offset: 0,
        limit: 10000,
        vintage_dates: vintages,
      }),
    );
    const before = server.requests.length;
    const source = createFredSource({ ...base(), realtimeStart: '1776-07-04', realtimeEnd: '9999-12-31' });
    const observations = await source.getSeries({ seriesId: 'DGS10', from: '2024-06-03', to: '2024-06-03' });
    expect(observations.map((observation) => [observation.value, observation.publishedAt])).toEqual([
      [4.41, '2024-06-04T23:59:59.999Z'],
      [4.42, '2024-06-11T23:59:59.999Z'],
    ]);
    const sent = server.requests.slice(before);
    // The refused request, the vintage dates, then three windows of at most 1500 vintage dates.
    expect(sent.map((request) => request.path)).toEqual([PATH, '/fred/series/vintagedates', PATH, PATH, PATH]);
    const windows = sent
      .slice(2)
      .map((request) => [request.query.get('realtime_start'), request.query.get('realtime_end')]);
    expect(windows[0]?.[0]).toBe('1776-07-04');
    expect(windows.at(-1)?.[1]).toBe('9999-12-31');
    for (const [start, end] of windows) {
      expect(
        vintages.filter((date) => date >= (start as string) && date <= (end as string)).length,
      ).toBeLessThanOrEqual(1500);
    }
  });

  it('keeps a 400 that is not about vintage dates an error', async () => {
    server.route(PATH, jsonFixture('fred/error-series-does-not-exist.json', 400));
    const source = createFredSource({ ...base(), realtimeStart: '1776-07-04', realtimeEnd: '9999-12-31' });
    await expect(source.getSeries({ seriesId: 'NOPE', from: '2024-01-01', to: '2024-01-02' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('coalesces a vintage split across windows, never values that differ or periods that do not touch', () => {
    const row = (value: string, start: string, end: string) => ({
      date: '2024-06-03',
      value,
      realtime_start: start,
      realtime_end: end,
    });
    expect(
      coalesceVintages([
        row('1', '2024-07-01', '9999-12-31'),
        row('1', '2024-06-04', '2024-06-30'),
        row('2', '2025-01-01', '9999-12-31'),
      ]),
    ).toEqual([row('1', '2024-06-04', '9999-12-31'), row('2', '2025-01-01', '9999-12-31')]);
    expect(coalesceVintages([row('1', '2024-06-04', '2024-06-20'), row('1', '2024-07-01', '9999-12-31')])).toHaveLength(
      2,
    );
  });
});
