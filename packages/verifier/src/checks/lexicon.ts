/**
 * Finance vocabulary for the deterministic checks: metric names (with synonyms and a generic parent), direction
 * words by axis, and an alias table of large listed companies. Extend any table by passing your own entries to
 * the functions that accept them.
 */

/** A metric the checks know, with the phrases that name it. */
export interface MetricDefinition {
  /** Canonical id (`revenue`, `eps`, `gross_margin`, …). */
  id: string;
  /** Lower-case phrases that name it (longest matched first). */
  phrases: readonly string[];
  /** A more generic metric it refines (`gross_margin` → `margin`), compatible but not conflicting. */
  parent?: string;
}

/** The built-in metric table. */
export const METRICS: readonly MetricDefinition[] = [
  { id: 'revenue', phrases: ['revenue', 'revenues', 'sales', 'net sales', 'top line', 'top-line', 'turnover'] },
  {
    id: 'eps',
    phrases: [
      'eps',
      'earnings per share',
      'per-share earnings',
      'earnings a share',
      'diluted eps',
      'earnings per diluted share',
      'per diluted share',
      'a diluted share',
    ],
  },
  {
    id: 'net_income',
    phrases: ['net income', 'net profit', 'profit', 'profits', 'earnings', 'bottom line', 'net earnings', 'income'],
  },
  { id: 'operating_income', phrases: ['operating income', 'operating profit', 'ebit', 'operating earnings'] },
  { id: 'ebitda', phrases: ['ebitda', 'adjusted ebitda'] },
  { id: 'gross_margin', phrases: ['gross margin', 'gross margins', 'gross profit margin'], parent: 'margin' },
  { id: 'operating_margin', phrases: ['operating margin', 'operating margins', 'ebit margin'], parent: 'margin' },
  { id: 'net_margin', phrases: ['net margin', 'profit margin', 'net profit margin'], parent: 'margin' },
  { id: 'margin', phrases: ['margin', 'margins'] },
  { id: 'gross_profit', phrases: ['gross profit'] },
  { id: 'free_cash_flow', phrases: ['free cash flow', 'fcf', 'free-cash-flow'], parent: 'cash_flow' },
  {
    id: 'operating_cash_flow',
    phrases: ['operating cash flow', 'cash from operations', 'cash flow from operations'],
    parent: 'cash_flow',
  },
  { id: 'cash_flow', phrases: ['cash flow', 'cash flows'] },
  { id: 'capex', phrases: ['capex', 'capital expenditure', 'capital expenditures', 'capital spending'] },
  { id: 'cash', phrases: ['cash', 'cash and equivalents', 'cash pile', 'cash position', 'liquidity'] },
  { id: 'debt', phrases: ['debt', 'borrowings', 'leverage', 'net debt'] },
  {
    id: 'dividend',
    phrases: ['dividend', 'dividends', 'dividend per share', 'payout', 'cash dividend', 'quarterly dividend'],
  },
  {
    id: 'buyback',
    phrases: ['buyback', 'buybacks', 'share repurchase', 'share repurchases', 'repurchase', 'repurchases', 'buy-back'],
  },
  { id: 'price_target', phrases: ['price target', 'price targets', 'target price', 'target', 'targets', 'pt'] },
  {
    id: 'share_price',
    phrases: ['shares', 'stock', 'share price', 'stock price', 'the stock', 'traded at', 'trading at'],
  },
  {
    id: 'close_price',
    phrases: ['close', 'closed at', 'closing price', 'close price', 'last close', 'settled at'],
    parent: 'share_price',
  },
  { id: 'open_price', phrases: ['opened at', 'opening price', 'open price', 'open'], parent: 'share_price' },
  { id: 'high_price', phrases: ['intraday high', 'high'], parent: 'share_price' },
  { id: 'low_price', phrases: ['intraday low', 'low'], parent: 'share_price' },
  { id: 'macd', phrases: ['macd', 'macd line', 'macd histogram'] },
  { id: 'market_cap', phrases: ['market cap', 'market capitalization', 'market value', 'valuation'] },
  { id: 'pe', phrases: ['p/e', 'price-to-earnings', 'pe ratio', 'earnings multiple', 'forward earnings', 'multiple'] },
  { id: 'market_share', phrases: ['market share', 'share of the market'] },
  {
    id: 'units',
    phrases: [
      'deliveries',
      'shipments',
      'units',
      'unit sales',
      'vehicles',
      'devices',
      'volumes',
      'volume',
      'production',
      'output',
    ],
  },
  {
    id: 'users',
    phrases: ['users', 'subscribers', 'customers', 'accounts', 'daily active users', 'monthly active users'],
  },
  { id: 'headcount', phrases: ['headcount', 'employees', 'jobs', 'workforce', 'layoffs'] },
  { id: 'backlog', phrases: ['backlog', 'bookings', 'orders', 'remaining performance obligations', 'rpo'] },
  { id: 'inventory', phrases: ['inventory', 'inventories'] },
  {
    id: 'rate',
    phrases: ['interest rate', 'interest rates', 'fed funds rate', 'policy rate', 'rates', 'yield', 'yields'],
  },
  { id: 'inflation', phrases: ['inflation', 'cpi', 'consumer prices', 'pce', 'core inflation'] },
  {
    id: 'unemployment',
    phrases: ['unemployment', 'unemployment rate', 'jobless rate', 'payrolls', 'nonfarm payrolls'],
  },
  { id: 'gdp', phrases: ['gdp', 'economic growth', 'economic output'] },
  { id: 'rsi', phrases: ['rsi', 'relative strength index'] },
  {
    id: 'moving_average',
    phrases: [
      'moving average',
      'simple moving average',
      'exponential moving average',
      'day average',
      'day moving average',
      'sma',
      'ema',
      '50-day',
      '200-day',
    ],
  },
  { id: 'volatility', phrases: ['volatility', 'vix', 'implied volatility'] },
  { id: 'expenses', phrases: ['expenses', 'costs', 'opex', 'operating expenses', 'spending'] },
  { id: 'tax_rate', phrases: ['tax rate', 'effective tax rate'] },
];

/** Words that make a figure an estimate or a forecast rather than a reported value. */
export const ESTIMATE_WORDS =
  /^(?:estimate|estimates|estimated|consensus|expectations?|expected|forecasts?|forecasted|projected|projects?|projections?|guidance|guided|guides?|outlook|anticipated|anticipates?|predicted|expects?|sees)$/i;

/** Axis of a direction word: a change in level, a comparison with expectations, a revision. */
/** What a direction word moves: a change over time, against expectations, a revision, a rating, or a position relative to a reference level (above/below a moving average). */
export type DirectionAxis = 'change' | 'expectation' | 'revision' | 'rating' | 'position';

/** Direction words: polarity (+1 up/beat/raise, −1 down/miss/cut) and axis. */
export const DIRECTION_WORDS: Readonly<Record<string, { polarity: 1 | -1; axis: DirectionAxis }>> = (() => {
  const table: Record<string, { polarity: 1 | -1; axis: DirectionAxis }> = {};
  const add = (words: string, polarity: 1 | -1, axis: DirectionAxis): void => {
    for (const word of words.split(' ')) table[word] = { polarity, axis };
  };
  add(
    'rose rise rises rising risen grew grow grows growing grown increased increase increases increasing climbed climb climbs jumped jump jumps surged surge surges soared soars gained gain gains expanded expand expands expanding improved improve improves improving up higher accelerated accelerate accelerating rebounded rebound advanced rallied doubled tripled strengthened widened growth',
    1,
    'change',
  );
  add(
    'fell fall falls falling fallen declined decline declines declining dropped drop drops dropping decreased decrease decreases decreasing shrank shrink shrinks contracted contract contracts slid slide slides plunged plunge plunges tumbled tumble sank sink slumped slump down lower slowed slow slows slowing decelerated decelerate weakened weaken deteriorated deteriorate eroded narrowed halved lost lose loses losing shed sheds retreated retreat retreats',
    -1,
    'change',
  );
  add('beat beats topped tops exceeded exceeds surpassed surpasses outpaced', 1, 'expectation');
  add('missed miss misses trailed lagged disappointed', -1, 'expectation');
  add('raised raise raises raising lifted lift boosted boost hiked hike reaffirmed', 1, 'revision');
  add(
    'cut cuts cutting lowered lower lowers reduced reduce reduces trimmed trim slashed slash withdrew suspended',
    -1,
    'revision',
  );
  add('above', 1, 'position');
  add('below', -1, 'position');
  add('upgraded upgrade upgrades', 1, 'rating');
  add('downgraded downgrade downgrades', -1, 'rating');
  return table;
})();

/** Negation cues that flip the next direction word within a few tokens. */
export const NEGATIONS =
  /^(?:not|no|never|neither|nor|without|didn't|didnt|don't|doesn't|wasn't|weren't|isn't|aren't|hasn't|haven't|hadn't|won't|cannot|can't|couldn't|failed|fails|fail|unable)$/i;

/** Large listed companies: ticker → aliases (lower-case). */
export const COMPANY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  AAPL: ['apple', 'apple inc', 'apple computer'],
  MSFT: ['microsoft', 'microsoft corp', 'microsoft corporation'],
  NVDA: ['nvidia', 'nvidia corp', 'nvidia corporation'],
  AMZN: ['amazon', 'amazon.com', 'amazon web services', 'aws'],
  META: ['meta', 'meta platforms', 'facebook'],
  GOOGL: ['alphabet', 'google', 'goog'],
  TSLA: ['tesla', 'tesla motors'],
  'BRK.B': ['berkshire', 'berkshire hathaway', 'brk.b', 'brk-b'],
  JPM: ['jpmorgan', 'jpmorgan chase', 'jp morgan', 'chase'],
  LLY: ['eli lilly', 'lilly'],
  JNJ: ['johnson & johnson', 'johnson and johnson', 'j&j'],
  XOM: ['exxon', 'exxonmobil', 'exxon mobil'],
  CVX: ['chevron'],
  SPY: ['spdr s&p 500', 'spdr'],
  QQQ: ['invesco qqq'],
  AMD: ['advanced micro devices', 'amd'],
  INTC: ['intel'],
  NFLX: ['netflix'],
  AVGO: ['broadcom'],
  TSM: ['tsmc', 'taiwan semiconductor'],
  QCOM: ['qualcomm'],
  ORCL: ['oracle'],
  CRM: ['salesforce'],
  ADBE: ['adobe'],
  WMT: ['walmart', 'wal-mart'],
  COST: ['costco'],
  V: ['visa'],
  MA: ['mastercard'],
  GS: ['goldman sachs', 'goldman'],
  MS: ['morgan stanley'],
  BAC: ['bank of america', 'bofa'],
  C: ['citigroup', 'citi'],
  WFC: ['wells fargo'],
  PFE: ['pfizer'],
  MRK: ['merck'],
  UNH: ['unitedhealth', 'unitedhealth group'],
  NVO: ['novo nordisk', 'novo'],
  BA: ['boeing'],
  DIS: ['disney', 'walt disney'],
  KO: ['coca-cola', 'coca cola', 'coke'],
  PEP: ['pepsico', 'pepsi'],
  PG: ['procter & gamble', 'procter and gamble', 'p&g'],
  HD: ['home depot'],
  NKE: ['nike'],
  SBUX: ['starbucks'],
  MCD: ["mcdonald's", 'mcdonalds'],
  IBM: ['ibm', 'international business machines'],
  CSCO: ['cisco'],
  BABA: ['alibaba'],
  SMSN: ['samsung', 'samsung electronics'],
  ARM: ['arm holdings'],
  UBER: ['uber'],
  SHOP: ['shopify'],
  PYPL: ['paypal'],
  SNOW: ['snowflake'],
  PLTR: ['palantir'],
  MU: ['micron'],
  ASML: ['asml'],
  SONY: ['sony'],
  F: ['ford', 'ford motor'],
  GM: ['general motors'],
  BYD: ['byd'],
  T: ['at&t'],
  VZ: ['verizon'],
};

/** Upper-case words that are not tickers or names. */
export const NOT_ENTITIES = new Set([
  'EPS',
  'GAAP',
  'AI',
  'CEO',
  'CFO',
  'CTO',
  'USD',
  'EUR',
  'FY',
  'YOY',
  'QOQ',
  'US',
  'USA',
  'UK',
  'EU',
  'GDP',
  'CPI',
  'PCE',
  'FOMC',
  'ETF',
  'IPO',
  'SEC',
  'RSI',
  'MACD',
  'SMA',
  'EMA',
  'ATR',
  'PE',
  'EV',
  'FCF',
  'EBIT',
  'EBITDA',
  'BUY',
  'SELL',
  'HOLD',
  'STRONG',
  'TTM',
  'Q',
  'H',
  'I',
  'A',
  'OK',
  'R&D',
  'AR',
  'VR',
  'API',
  'GPU',
  'CPU',
  'PC',
  'PCS',
  'ROE',
  'ROI',
  'ROIC',
  'NOTE',
  'KEY',
  'RISK',
  'RISKS',
  'BULL',
  'BEAR',
  'NEWS',
  'MACRO',
  'ADR',
  'BPS',
  'YTD',
  'ASP',
  'ARPU',
  'DAU',
  'MAU',
  'SAAS',
  'CAGR',
  'VIX',
  'FED',
  'PMI',
  'ISM',
  'NFP',
  'OPEC',
  'ESG',
  'LLM',
  'NASDAQ',
  'NYSE',
]);

/** Capitalised words that start sentences or name generic things (not entities). */
export const COMMON_CAPITALISED = new Set(
  (
    'The A An This That These Those It Its We Our Us They Their He She His Her I In On At By For With From As And But Or ' +
    'If While Although Though However Overall Meanwhile Also Still Yet So Despite After Before During Since Given Based ' +
    'Revenue Revenues Sales Earnings Net Gross Operating Total Shares Stock Margin Margins Guidance Management Analysts ' +
    'Analyst Investors Quarter Quarterly Fiscal Year Annual First Second Third Fourth Q1 Q2 Q3 Q4 January February March ' +
    'April May June July August September October November December Monday Tuesday Wednesday Thursday Friday Saturday ' +
    'Sunday Buy Sell Hold Strong Bullish Bearish Neutral Conclusion Recommendation Summary Fundamentals Technical ' +
    'Valuation Risk Risks News Macro Sentiment Key Positive Negative Higher Lower Record Supporting Evidence Sources Source ' +
    'Company Firm Report Results Data Outlook Street Wall Federal Reserve Treasury Dollar Markets Market Consumer ' +
    'Insider Insiders Technicals Momentum Catalysts Catalyst Upside Downside Price Target Rating Decision Thesis Notably ' +
    'Additionally Furthermore Moreover Importantly Finally Thus Therefore Hence Nevertheless Nonetheless Both Each Some ' +
    'Most Many Several Other Another Such No Not None Long Short Near Medium Term Near-term Long-term Short-term Year-over-year'
  ).split(' '),
);
