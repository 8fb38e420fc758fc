import { isIsoDate, parseTimestamp, TradeR1Error, toInstant, toIsoInstant } from '@trade-r1/core';
import { z } from 'zod';
import { classifyPeriod } from '../context/fundamentals.ts';
import type { FundamentalFact, FundamentalsRequest, FundamentalsSource } from '../sources.ts';
import {
  createProviderClient,
  type HttpProviderOptions,
  parseProviderOptions,
  parseVendorResponse,
  reportSkip,
  type SkippedItem,
  validateTickerRequest,
} from './shared.ts';

/**
 * SEC EDGAR APIs, shapes per https://www.sec.gov/search-filings/edgar-application-programming-interfaces:
 * - `https://www.sec.gov/files/company_tickers.json` → `{ "0": { cik_str: 320193, ticker: "AAPL", title } , … }`
 * - `https://data.sec.gov/submissions/CIK##########.json` → `{ cik, name, tickers, filings: { recent: {
 *   accessionNumber[], filingDate[], reportDate[], acceptanceDateTime[], form[], primaryDocument[],
 *   primaryDocDescription[], … }, files: [...] } }` (columnar arrays of equal length)
 * - `https://data.sec.gov/api/xbrl/companyfacts/CIK##########.json` → `{ cik, entityName, facts: { [taxonomy]: {
 *   [concept]: { label, description, units: { [unit]: [{ start?, end, val, accn, fy, fp, form, filed, frame? }] } }
 *   } } }`
 * The SEC's fair-access policy requires a User-Agent naming the requester with a contact e-mail, and at most
 * 10 requests per second.
 */

const isoDate = z.string().refine(isIsoDate, 'expected an ISO date YYYY-MM-DD');

const tickersSchema = z.record(
  z.string(),
  z.object({ cik_str: z.number().int().positive(), ticker: z.string(), title: z.string().optional() }),
);

const factSchema = z.object({
  start: isoDate.optional(),
  end: isoDate,
  val: z.number(),
  accn: z.string(),
  fy: z.number().int().nullable().optional(),
  fp: z.string().nullable().optional(),
  form: z.string(),
  filed: isoDate,
  frame: z.string().optional(),
});

const companyFactsSchema = z.object({
  cik: z.union([z.number(), z.string()]),
  entityName: z.string(),
  facts: z.record(
    z.string(),
    z.record(
      z.string(),
      z.object({
        label: z.string().nullable().optional(),
        description: z.string().nullable().optional(),
        units: z.record(z.string(), z.array(factSchema)),
      }),
    ),
  ),
});

const columns = z.array(z.string());

/** The columnar filing table of `filings.recent` (and, at the top level, of each older page). */
const filingColumnsSchema = z.object({
  accessionNumber: columns,
  filingDate: columns,
  reportDate: columns,
  acceptanceDateTime: columns,
  form: columns,
  primaryDocument: columns,
  primaryDocDescription: columns.optional(),
});
type FilingColumns = z.infer<typeof filingColumnsSchema>;

const submissionsSchema = z.object({
  cik: z.union([z.number(), z.string()]),
  name: z.string().optional(),
  tickers: z.array(z.string()).optional(),
  filings: z.object({
    recent: filingColumnsSchema,
    files: z
      .array(z.object({ name: z.string(), filingCount: z.number().optional(), filingFrom: isoDate, filingTo: isoDate }))
      .optional(),
  }),
});

/** One filing from the EDGAR submissions API. */
export interface SecFiling {
  ticker: string;
  /** Ten-digit CIK. */
  cik: string;
  accessionNumber: string;
  form: string;
  filingDate: string;
  /** Period of report, when the form has one. */
  reportDate?: string;
  acceptanceDateTime?: string;
  primaryDocument: string;
  description?: string;
  /** URL of the primary document in the EDGAR archive. */
  url: string;
  /** When the filing became public (see {@link createSecEdgarSource}). */
  publishedAt: string;
  source: string;
}

/** A request for filings of one company. */
export interface SecFilingsRequest {
  ticker: string;
  /** Only filings filed on or after this date (`YYYY-MM-DD`). */
  from?: string;
  /** Only filings filed on or before this date (`YYYY-MM-DD`). */
  to?: string;
  /** Only these forms (`['10-K', '10-Q', '8-K']`). @default all */
  forms?: readonly string[];
  /**
   * Also read the older pages listed in `filings.files` (only those overlapping `from`/`to`), one request each.
   * @default false
   */
  includeOlder?: boolean;
  signal?: AbortSignal;
}

/** Options for {@link createSecEdgarSource}. */
export interface SecEdgarSourceOptions extends HttpProviderOptions {
  /**
   * Required by the SEC: who you are and how to reach you, e.g. `'Acme Research admin@acme.example'`.
   * @default process.env.SEC_USER_AGENT
   */
  userAgent?: string;
  /** Ticker → CIK mapping URL. @default 'https://www.sec.gov/files/company_tickers.json' */
  tickersUrl?: string;
  /** Base of archive document URLs. @default 'https://www.sec.gov/Archives/edgar/data' */
  archivesUrl?: string;
  /** Known CIKs by ticker; these skip the ticker lookup. @default {} */
  ciks?: Record<string, string | number>;
  /** Only facts of these taxonomies (`us-gaap`, `ifrs-full`, `dei`, `srt`…). @default all */
  taxonomies?: readonly string[];
  /** Only these concepts (`Revenues`, `EarningsPerShareDiluted`…). @default all */
  concepts?: readonly string[];
  /** Only facts reported in these forms (`10-K`, `10-Q`…). @default all */
  forms?: readonly string[];
}

/** SEC EDGAR as a {@link FundamentalsSource}, plus filings and CIK lookup. */
export interface SecEdgarSource extends FundamentalsSource {
  /** The ten-digit CIK of a ticker (from `ciks`, else the SEC ticker file). @throws `NOT_FOUND` */
  resolveCik(ticker: string, signal?: AbortSignal): Promise<string>;
  /**
   * Filings, oldest first: the submissions API's `filings.recent` (at least a year, or 1000 filings), plus the
   * older pages with `includeOlder`.
   */
  getFilings(request: SecFilingsRequest): Promise<SecFiling[]>;
}

function padCik(cik: string | number): string {
  const digits = String(cik).trim().replace(/^CIK/i, '');
  if (!/^\d{1,10}$/.test(digits)) {
    throw new TradeR1Error('INVALID_INPUT', `Not a CIK: ${String(cik)}`, { details: { cik: String(cik) } });
  }
  return digits.padStart(10, '0');
}

/**
 * SEC EDGAR company facts (XBRL) as fundamentals, and the submissions API as a filing list.
 *
 * Dating: a fact's `publishedAt` is the end (23:59:59.999Z) of its `filed` date. EDGAR assigns filings accepted
 * after 17:30 Eastern to the next business day, so the end of the filing date is never before acceptance: the
 * date is conservative. A filing's `publishedAt` is the later of that and its `acceptanceDateTime`. Every fact is
 * returned, including the same figure re-reported as a comparative in later filings (each with its own filing
 * date); `taxonomies`, `concepts` and `forms` narrow the set explicitly. Each fact keeps its period: `periodStart`
 * (flows) and `periodKind` — `quarter`, `ytd` (a 10-Q's six or nine months to date), `annual` or `instant` — so a
 * quarter and the nine months to the same date are never confused (`deriveFourthQuarters` fills implicit Q4s). Default rate limit: bursts of 5,
 * 8 requests/s (SEC maximum: 10/s).
 * @throws {TradeR1Error} `INVALID_CONFIG` when no User-Agent with a contact e-mail is configured.
 */
export function createSecEdgarSource(options: SecEdgarSourceOptions = {}): SecEdgarSource {
  parseProviderOptions('createSecEdgarSource()', options, [
    'userAgent',
    'tickersUrl',
    'archivesUrl',
    'ciks',
    'taxonomies',
    'concepts',
    'forms',
  ]);
  const vendor = 'SEC EDGAR';
  const userAgent = (options.userAgent ?? (options.env ?? process.env).SEC_USER_AGENT ?? '').trim();
  if (!/\S+@\S+\.\S+/.test(userAgent)) {
    throw new TradeR1Error(
      'INVALID_CONFIG',
      `${vendor}: the SEC requires a User-Agent naming you with a contact e-mail, e.g. "Acme Research admin@acme.example". Pass \`userAgent\` or set SEC_USER_AGENT.`,
      { details: { vendor } },
    );
  }
  const client = createProviderClient(vendor, 'https://data.sec.gov', { capacity: 5, refillPerSecond: 8 }, options, {
    headers: { 'user-agent': userAgent },
  });
  const tickersUrl = options.tickersUrl ?? 'https://www.sec.gov/files/company_tickers.json';
  const archivesUrl = (options.archivesUrl ?? 'https://www.sec.gov/Archives/edgar/data').replace(/\/+$/, '');
  const known = new Map<string, string>();
  for (const [ticker, cik] of Object.entries(options.ciks ?? {})) known.set(ticker.toUpperCase(), padCik(cik));
  let tickerMap: Promise<Map<string, string>> | undefined;

  const loadTickerMap = (signal: AbortSignal | undefined): Promise<Map<string, string>> => {
    if (!tickerMap) {
      tickerMap = client
        .request({
          path: tickersUrl,
          signal,
          parse: (body) => parseVendorResponse(vendor, 'company_tickers.json', tickersSchema, body),
        })
        .then(({ value }) => {
          const map = new Map<string, string>();
          for (const entry of Object.values(value)) map.set(entry.ticker.toUpperCase(), padCik(entry.cik_str));
          return map;
        });
      // A failed lookup is not remembered: the next call tries again.
      tickerMap.catch(() => {
        tickerMap = undefined;
      });
    }
    return tickerMap;
  };

  async function resolveCik(ticker: string, signal?: AbortSignal): Promise<string> {
    const symbol = validateTickerRequest(vendor, { ticker }).ticker;
    const candidates = [symbol, symbol.replaceAll('.', '-'), symbol.replaceAll('-', '.')];
    for (const candidate of candidates) {
      const cik = known.get(candidate);
      if (cik) return cik;
    }
    const map = await loadTickerMap(signal);
    for (const candidate of candidates) {
      const cik = map.get(candidate);
      if (cik) return cik;
    }
    throw new TradeR1Error(
      'NOT_FOUND',
      `${vendor}: no CIK for ticker ${symbol} in the SEC ticker file; pass it in the \`ciks\` option`,
      { details: { vendor, ticker: symbol } },
    );
  }

  async function getFundamentals(request: FundamentalsRequest): Promise<FundamentalFact[]> {
    const { ticker } = validateTickerRequest(vendor, request);
    const cik = await resolveCik(ticker, request.signal);
    const endpoint = '/api/xbrl/companyfacts';
    const { value } = await client.request({
      path: `${endpoint}/CIK${cik}.json`,
      signal: request.signal,
      parse: (body) => parseVendorResponse(vendor, endpoint, companyFactsSchema, body),
    });
    const taxonomies = options.taxonomies ? new Set(options.taxonomies) : undefined;
    const concepts = options.concepts ? new Set(options.concepts) : undefined;
    const forms = options.forms ? new Set(options.forms) : undefined;
    const facts: FundamentalFact[] = [];
    for (const [taxonomy, conceptMap] of Object.entries(value.facts)) {
      if (taxonomies && !taxonomies.has(taxonomy)) continue;
      for (const [concept, { units }] of Object.entries(conceptMap)) {
        if (concepts && !concepts.has(concept)) continue;
        for (const [unit, entries] of Object.entries(units)) {
          for (const entry of entries) {
            if (forms && !forms.has(entry.form)) continue;
            facts.push({
              ticker,
              metric: concept,
              value: entry.val,
              unit,
              periodEnd: entry.end,
              ...(entry.start === undefined ? {} : { periodStart: entry.start }),
              periodKind: classifyPeriod(entry.start, entry.end),
              ...(entry.fy === null || entry.fy === undefined ? {} : { fiscalYear: entry.fy }),
              ...(entry.fp ? { fiscalPeriod: entry.fp } : {}),
              form: entry.form,
              publishedAt: toIsoInstant(entry.filed),
              source: `sec-edgar:${taxonomy}:${entry.accn}`,
            });
          }
        }
      }
    }
    facts.sort(
      (left, right) =>
        left.publishedAt.localeCompare(right.publishedAt) ||
        left.metric.localeCompare(right.metric) ||
        (left.periodEnd ?? '').localeCompare(right.periodEnd ?? ''),
    );
    return facts;
  }

  async function getFilings(request: SecFilingsRequest): Promise<SecFiling[]> {
    const { ticker } = validateTickerRequest(vendor, { ticker: request.ticker });
    for (const [name, date] of [
      ['from', request.from],
      ['to', request.to],
    ] as const) {
      if (date !== undefined && !isIsoDate(date)) {
        throw new TradeR1Error('INVALID_INPUT', `${vendor}: ${name} must be a date YYYY-MM-DD, got ${date}`, {
          details: { [name]: date },
        });
      }
    }
    const cik = await resolveCik(ticker, request.signal);
    const endpoint = '/submissions';
    const { value } = await client.request({
      path: `${endpoint}/CIK${cik}.json`,
      signal: request.signal,
      parse: (body) => parseVendorResponse(vendor, endpoint, submissionsSchema, body),
    });
    const forms = request.forms ? new Set(request.forms) : undefined;
    const filings: SecFiling[] = [];
    const skipped: SkippedItem[] = [];
    const collect = (table: FilingColumns, where: string): void => {
      const count = table.accessionNumber.length;
      for (const [name, column] of Object.entries(table)) {
        if (column !== undefined && column.length !== count) {
          throw new TradeR1Error(
            'BAD_RESPONSE',
            `${vendor} ${endpoint} response: ${where}.${name} has ${column.length} entries, accessionNumber has ${count}`,
            { details: { vendor, endpoint, field: `${where}.${name}` } },
          );
        }
      }
      for (let index = 0; index < count; index += 1) {
        const filingDate = table.filingDate[index] as string;
        const form = table.form[index] as string;
        if (forms && !forms.has(form)) continue;
        if (!isIsoDate(filingDate)) {
          reportSkip(
            options.onSkip,
            { vendor, kind: 'filing', subject: ticker, index, date: filingDate, reason: 'filingDate is not a date' },
            skipped,
          );
          continue;
        }
        if ((request.from && filingDate < request.from) || (request.to && filingDate > request.to)) continue;
        const accessionNumber = table.accessionNumber[index] as string;
        const acceptance = table.acceptanceDateTime[index] ?? '';
        let published = toInstant(filingDate);
        try {
          if (acceptance !== '') published = Math.max(published, parseTimestamp(acceptance).instant);
        } catch {
          // An unparseable acceptance time leaves the (conservative) end of the filing date.
        }
        const reportDate = table.reportDate[index] ?? '';
        const primaryDocument = table.primaryDocument[index] ?? '';
        const description = table.primaryDocDescription?.[index] ?? '';
        filings.push({
          ticker,
          cik,
          accessionNumber,
          form,
          filingDate,
          ...(reportDate !== '' ? { reportDate } : {}),
          ...(acceptance !== '' ? { acceptanceDateTime: acceptance } : {}),
          primaryDocument,
          ...(description !== '' ? { description } : {}),
          url: `${archivesUrl}/${Number(cik)}/${accessionNumber.replaceAll('-', '')}/${primaryDocument}`,
          publishedAt: new Date(published).toISOString(),
          source: 'sec-edgar',
        });
      }
    };
    collect(value.filings.recent, 'filings.recent');
    if (request.includeOlder) {
      for (const page of value.filings.files ?? []) {
        if ((request.from && page.filingTo < request.from) || (request.to && page.filingFrom > request.to)) continue;
        if (!/^[\w.-]+\.json$/.test(page.name)) {
          throw new TradeR1Error('BAD_RESPONSE', `${vendor} ${endpoint} response: unexpected page name ${page.name}`, {
            details: { vendor, endpoint, name: page.name },
          });
        }
        const older = await client.request({
          path: `${endpoint}/${page.name}`,
          signal: request.signal,
          parse: (body) => parseVendorResponse(vendor, `${endpoint}/${page.name}`, filingColumnsSchema, body),
        });
        collect(older.value, page.name);
      }
    }
    filings.sort(
      (left, right) =>
        left.publishedAt.localeCompare(right.publishedAt) || left.accessionNumber.localeCompare(right.accessionNumber),
    );
    return filings;
  }

  return { name: 'sec-edgar', resolveCik, getFundamentals, getFilings };
}
