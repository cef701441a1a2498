/**
 * Loads the raw Binance websocket recordings (`<local receive time ns> <raw JSON>`
 * per line, gzip) into memory as validated {@link MarketEvent}s.
 *
 * Every message is parsed with zod once, at load; the replay's hot path never
 * re-validates. A line that is not JSON or does not match the schema is skipped,
 * counted and reported (file and line number) in {@link LoadStats.warnings}.
 * Results are memoised per set of files, so several simulators started in one
 * process parse each recording once.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { z } from 'zod';
import { REPO_ROOT } from '../../repo-root.ts';
import type { BookTickerEvent, DepthEvent, DepthSnapshot, Market, MarketEvent, TradeEvent } from './types.ts';

const gunzipAsync = promisify(gunzip);

/** Default recordings folder: `<repo>/../shared/data/binance-ws` (the repository root from `src/repo-root.ts`), absolute. */
export function defaultDataDir(): string {
  return resolve(REPO_ROOT, '../shared/data/binance-ws');
}

/** Thrown when recordings are missing or hold no usable data. `path` is the exact path looked at. */
export class MarketDataError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'MarketDataError';
  }
}

function notFound(path: string, what = 'Recorded market data not found at'): MarketDataError {
  return new MarketDataError(`${what} ${path}; set another folder with --data-dir (option dataDir)`, path);
}

/** What loading one recording found; warnings name the file and line of each skipped line (first 50 kept). */
export interface LoadStats {
  readonly files: readonly string[];
  readonly lines: number;
  readonly trades: number;
  readonly bookTickers: number;
  readonly depthDiffs: number;
  readonly snapshots: number;
  /** Lines that were not JSON. */
  readonly notJson: number;
  /** JSON lines that failed schema validation or belonged to another symbol/stream. */
  readonly invalid: number;
  readonly warnings: readonly string[];
  /** Wall time spent gunzipping and parsing, ms. */
  readonly parseMs: number;
}

/** A REST depth snapshot found in a recording, and where it sits among the recording's events. */
export interface RecordedSnapshot {
  readonly snapshot: DepthSnapshot;
  /** Number of the recording's events received before the snapshot line. */
  readonly index: number;
  /** Replay-clock time of the snapshot line, ms. */
  readonly time: number;
  /** Merge key (replay-clock time with sub-millisecond receive precision). */
  readonly key: number;
}

/** All files of one instrument, chained in date order and validated. */
export interface Recording {
  readonly market: Market;
  /** Upper case, as Binance's `s`. */
  readonly symbol: string;
  readonly files: readonly string[];
  /** Events in receive order. */
  readonly events: readonly MarketEvent[];
  /** Replay-clock time of each event, integer ms: receive time (ms, truncated) + `offsetMs`. */
  readonly times: Float64Array;
  /** Merge key of each event: `times[i]` plus the sub-millisecond part of the receive time; non-decreasing. */
  readonly keys: Float64Array;
  /** REST snapshots in receive order (normally one, in the first file). */
  readonly snapshots: readonly RecordedSnapshot[];
  /** Median of `E - receive ms` over the messages that carry `E`, ms (the recorder's clock lag). */
  readonly offsetMs: number;
  readonly stats: LoadStats;
}

// ---------------------------------------------------------------- schemas

const DECIMAL = /^\d+(\.\d+)?$/;
const decimal = z.string().regex(DECIMAL, 'decimal string');
const id = z.number().int().nonnegative();

/** `[[price, qty], …]` of decimal strings. Checked in place: zod's array/tuple schemas would copy every level. */
function isLevels(value: unknown): value is Array<[string, string]> {
  if (!Array.isArray(value)) return false;
  for (const l of value as unknown[]) {
    if (!Array.isArray(l) || l.length !== 2) return false;
    const [p, q] = l as unknown[];
    if (typeof p !== 'string' || typeof q !== 'string' || !DECIMAL.test(p) || !DECIMAL.test(q)) return false;
  }
  return true;
}
const levels = z.custom<Array<[string, string]>>(isLevels, { message: 'expected [[price, qty], …] of decimal strings' });

const snapshotSchema = z.object({
  lastUpdateId: id,
  bids: levels,
  asks: levels,
  E: id.optional(),
  T: id.optional(),
});
const envelopeSchema = z.object({ stream: z.string(), data: z.unknown() });
const tradeSchema = z.object({
  e: z.literal('trade'),
  E: id,
  s: z.string(),
  t: id,
  p: decimal,
  q: decimal,
  T: id,
  m: z.boolean(),
});
const spotTickerSchema = z.object({ u: id, s: z.string(), b: decimal, B: decimal, a: decimal, A: decimal });
const usdmTickerSchema = spotTickerSchema.extend({ E: id, T: id });
const spotDepthSchema = z.object({
  e: z.literal('depthUpdate'),
  E: id,
  s: z.string(),
  U: id,
  u: id,
  b: levels,
  a: levels,
});
const usdmDepthSchema = spotDepthSchema.extend({ T: id, pu: id });

// ---------------------------------------------------------------- file listing

/**
 * The recording files of one instrument, `<dataDir>/<market>/<symbol lowercase>_<yyyymmdd>.gz`, in date order.
 * @throws MarketDataError naming the folder or file pattern looked at when nothing is found.
 */
export function recordingFiles(dataDir: string, market: Market, symbol: string): string[] {
  const dir = resolve(dataDir, market);
  const pattern = join(dir, `${symbol.toLowerCase()}_*.gz`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw notFound(pattern);
  const re = new RegExp(`^${symbol.toLowerCase().replace(/[^a-z0-9]/g, '')}_(\\d{8})\\.gz$`);
  const names = readdirSync(dir)
    .filter((name) => re.test(name))
    .sort();
  if (names.length === 0) throw notFound(pattern);
  return names.map((name) => join(dir, name));
}

// ---------------------------------------------------------------- parsing

/** One parsed line before the chain's clock offset is known. */
interface Pending {
  readonly recvMs: number;
  /** Sub-millisecond part of the receive time, in [0, 1). */
  readonly recvFrac: number;
  /** The event; a spot bookTicker's `eventTime` is filled in once the offset is known. */
  readonly event: MarketEvent | undefined;
  readonly snapshot: DepthSnapshot | undefined;
}

interface MutableTicker {
  kind: 'bookTicker';
  market: Market;
  symbol: string;
  updateId: number;
  bidPrice: string;
  bidQty: string;
  askPrice: string;
  askQty: string;
  eventTime: number;
  transactionTime?: number;
}

const MAX_WARNINGS = 50;

class Collector {
  lines = 0;
  trades = 0;
  bookTickers = 0;
  depthDiffs = 0;
  snapshots = 0;
  notJson = 0;
  invalid = 0;
  readonly warnings: string[] = [];
  readonly deltas: number[] = [];

  warn(file: string, line: number, why: string): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(`${file}:${line}: ${why}`);
  }
}

function describeZod(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid message';
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}

function parseLine(
  raw: string,
  file: string,
  lineNo: number,
  market: Market,
  symbol: string,
  streamPrefix: string,
  out: Pending[],
  c: Collector,
): void {
  const sp = raw.indexOf(' ');
  const ns = sp > 0 ? raw.slice(0, sp) : '';
  if (ns.length < 7 || !/^\d+$/.test(ns)) {
    c.notJson++;
    c.warn(file, lineNo, 'no receive timestamp; line skipped');
    return;
  }
  const recvMs = Number(ns.slice(0, ns.length - 6));
  const recvFrac = Number(ns.slice(ns.length - 6)) / 1e6;
  let json: unknown;
  try {
    json = JSON.parse(raw.slice(sp + 1));
  } catch {
    c.notJson++;
    c.warn(file, lineNo, 'not JSON; line skipped');
    return;
  }
  if (typeof json === 'object' && json !== null && 'lastUpdateId' in json) {
    const r = snapshotSchema.safeParse(json);
    if (!r.success) {
      c.invalid++;
      c.warn(file, lineNo, `bad depth snapshot (${describeZod(r.error)}); line skipped`);
      return;
    }
    c.snapshots++;
    const snapshot: DepthSnapshot = { lastUpdateId: r.data.lastUpdateId, bids: r.data.bids, asks: r.data.asks };
    out.push({ recvMs, recvFrac, event: undefined, snapshot });
    return;
  }
  const env = envelopeSchema.safeParse(json);
  if (!env.success) {
    c.invalid++;
    c.warn(file, lineNo, `not a combined-stream message (${describeZod(env.error)}); line skipped`);
    return;
  }
  const stream = env.data.stream;
  if (!stream.startsWith(streamPrefix)) {
    c.invalid++;
    c.warn(file, lineNo, `stream ${stream} is not for ${symbol}; line skipped`);
    return;
  }
  const kind = stream.slice(streamPrefix.length);
  let event: MarketEvent;
  if (kind === 'trade') {
    const r = tradeSchema.safeParse(env.data.data);
    if (!r.success || r.data.s !== symbol) {
      c.invalid++;
      c.warn(file, lineNo, `bad trade (${r.success ? `symbol ${r.data.s}` : describeZod(r.error)}); line skipped`);
      return;
    }
    const d = r.data;
    const trade: TradeEvent = {
      kind: 'trade',
      market,
      symbol,
      tradeId: d.t,
      price: d.p,
      qty: d.q,
      buyerIsMaker: d.m,
      tradeTime: d.T,
      eventTime: d.E,
    };
    event = trade;
    c.trades++;
    c.deltas.push(d.E - recvMs);
  } else if (kind === 'bookTicker') {
    const r = (market === 'usdm' ? usdmTickerSchema : spotTickerSchema).safeParse(env.data.data);
    if (!r.success || r.data.s !== symbol) {
      c.invalid++;
      c.warn(file, lineNo, `bad bookTicker (${r.success ? `symbol ${r.data.s}` : describeZod(r.error)}); line skipped`);
      return;
    }
    const d = r.data;
    const ticker: MutableTicker = {
      kind: 'bookTicker',
      market,
      symbol,
      updateId: d.u,
      bidPrice: d.b,
      bidQty: d.B,
      askPrice: d.a,
      askQty: d.A,
      eventTime: Number.NaN,
    };
    if ('E' in d && typeof d.E === 'number') {
      ticker.eventTime = d.E;
      c.deltas.push(d.E - recvMs);
    }
    if ('T' in d && typeof d.T === 'number') ticker.transactionTime = d.T;
    event = ticker;
    c.bookTickers++;
  } else if (kind.startsWith('depth')) {
    const r = (market === 'usdm' ? usdmDepthSchema : spotDepthSchema).safeParse(env.data.data);
    if (!r.success || r.data.s !== symbol) {
      c.invalid++;
      c.warn(file, lineNo, `bad depth diff (${r.success ? `symbol ${r.data.s}` : describeZod(r.error)}); line skipped`);
      return;
    }
    const d = r.data;
    const depth: DepthEvent = {
      kind: 'depth',
      market,
      symbol,
      firstUpdateId: d.U,
      finalUpdateId: d.u,
      ...('pu' in d && typeof d.pu === 'number' && { prevFinalUpdateId: d.pu }), // USD-M only
      bids: d.b,
      asks: d.a,
      eventTime: d.E,
      ...('T' in d && typeof d.T === 'number' && { transactionTime: d.T }), // USD-M only
    };
    event = depth;
    c.deltas.push(d.E - recvMs);
    c.depthDiffs++;
  } else {
    c.invalid++;
    c.warn(file, lineNo, `unknown stream ${stream}; line skipped`);
    return;
  }
  out.push({ recvMs, recvFrac, event, snapshot: undefined });
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  const hi = sorted[mid] ?? 0;
  if (sorted.length % 2 === 1) return hi;
  return Math.round(((sorted[mid - 1] ?? hi) + hi) / 2);
}

async function parseChain(files: readonly string[], market: Market, symbol: string): Promise<Recording> {
  const started = performance.now();
  const buffers = await Promise.all(
    files.map(async (file) => {
      try {
        return await gunzipAsync(await readFile(file));
      } catch (err) {
        throw new MarketDataError(
          `Cannot read recorded market data ${file} (${(err as Error).message}); set another folder with --data-dir (option dataDir)`,
          file,
        );
      }
    }),
  );
  const c = new Collector();
  const pending: Pending[] = [];
  const streamPrefix = `${symbol.toLowerCase()}@`;
  buffers.forEach((buf, fileIndex) => {
    const file = files[fileIndex] ?? '';
    const text = buf.toString('utf8');
    let start = 0;
    let lineNo = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      lineNo++;
      let raw = text.slice(start, end);
      start = end + 1;
      if (raw.endsWith('\r')) raw = raw.slice(0, -1);
      if (raw.trim().length === 0) continue;
      c.lines++;
      parseLine(raw, file, lineNo, market, symbol, streamPrefix, pending, c);
    }
  });

  // Receive order, stable (recordings are already in order; this guards against a clock step back).
  let ordered = pending;
  for (let i = 1; i < pending.length; i++) {
    const a = pending[i - 1];
    const b = pending[i];
    if (a !== undefined && b !== undefined && (b.recvMs < a.recvMs || (b.recvMs === a.recvMs && b.recvFrac < a.recvFrac))) {
      ordered = pending
        .map((p, index) => ({ p, index }))
        .sort((x, y) => x.p.recvMs - y.p.recvMs || x.p.recvFrac - y.p.recvFrac || x.index - y.index)
        .map((x) => x.p);
      c.warnings.push(`${files.join(', ')}: receive times step back; events re-sorted by receive time`);
      break;
    }
  }

  const offsetMs = median(c.deltas);
  const eventCount = ordered.length - c.snapshots;
  const events: MarketEvent[] = new Array<MarketEvent>(eventCount);
  const times = new Float64Array(eventCount);
  const keys = new Float64Array(eventCount);
  const snapshots: RecordedSnapshot[] = [];
  let n = 0;
  for (const p of ordered) {
    const time = p.recvMs + offsetMs;
    if (p.snapshot !== undefined) {
      snapshots.push({ snapshot: p.snapshot, index: n, time, key: time + p.recvFrac });
      continue;
    }
    const ev = p.event;
    if (ev === undefined) continue;
    if (ev.kind === 'bookTicker' && Number.isNaN(ev.eventTime)) (ev as MutableTicker).eventTime = time;
    events[n] = ev;
    times[n] = time;
    keys[n] = time + p.recvFrac;
    n++;
  }
  const stats: LoadStats = {
    files,
    lines: c.lines,
    trades: c.trades,
    bookTickers: c.bookTickers,
    depthDiffs: c.depthDiffs,
    snapshots: c.snapshots,
    notJson: c.notJson,
    invalid: c.invalid,
    warnings: c.warnings,
    parseMs: performance.now() - started,
  };
  if (n === 0) {
    throw new MarketDataError(
      `No usable market data in ${files.join(', ')} (${c.notJson} non-JSON and ${c.invalid} invalid lines); set another folder with --data-dir (option dataDir)`,
      files[0] ?? '',
    );
  }
  return { market, symbol, files, events, times, keys, snapshots, offsetMs, stats };
}

const cache = new Map<string, Promise<Recording>>();

/**
 * Loads (once per process) every recording file of one instrument, chained in date order.
 * @param dataDir folder holding `spot/` and `usdm/`.
 * @throws MarketDataError (rejects) when the folder or files are missing or unreadable, or hold no valid event.
 */
export function loadRecording(dataDir: string, market: Market, symbol: string): Promise<Recording> {
  const upper = symbol.toUpperCase();
  let files: string[];
  try {
    files = recordingFiles(dataDir, market, upper);
  } catch (err) {
    return Promise.reject(err);
  }
  const key = `${market}|${upper}|${files.join('|')}`;
  let p = cache.get(key);
  if (p === undefined) {
    p = parseChain(files, market, upper);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

/** Forgets memoised recordings (benchmarks measuring a cold load). */
export function clearRecordingCache(): void {
  cache.clear();
}
