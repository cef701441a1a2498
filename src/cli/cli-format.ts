/**
 * Human-readable text for the CLI: results, events and errors. Pure functions (strings in,
 * strings out); times are printed as ISO 8601 UTC.
 */
import type { EngineEvent, EngineStatus, OrderView, OrdersPage, SignalResult } from '../engine/api.ts';
import type { Issue } from '../ingress/protocol.ts';
import { ClientError, IngressError } from './client.ts';

/** ms since epoch → `2024-08-09T00:01:02.345Z`. */
export function time(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

export function formatSignalResult(r: SignalResult): string {
  const note = r.duplicate ? '  (duplicate signal id: nothing new placed)' : '';
  return `order ${r.clientOrderId}  state ${r.state}  signal ${r.signalId}${note}\n`;
}

/** One order in full: fields, transitions with times, fills. */
export function formatOrder(o: OrderView): string {
  const size = o.quantity !== null ? `${o.quantity}` : `${o.quoteQuantity ?? '?'} (quote)`;
  const fees = Object.entries(o.fees).map(([cur, amount]) => `${amount} ${cur}`).join(', ') || '-';
  const lines = [
    `order       ${o.clientOrderId}${o.live ? '' : '  (archived)'}`,
    `state       ${o.state}${o.outcome !== null && o.outcome.toUpperCase() !== o.state ? `  (${o.outcome})` : ''}`,
    ...(o.reason !== null ? [`reason      ${o.reason}`] : []),
    `signal      ${o.signalId}`,
    `venue       ${o.venue}${o.venueOrderId !== null ? `  venue order ${o.venueOrderId}` : ''}`,
    `instrument  ${o.instrument}`,
    `type        ${o.side} ${o.type}${o.timeInForce !== null ? ` ${o.timeInForce}` : ''}  quantity ${size}${o.price !== null ? `  price ${o.price}` : ''}`,
    `filled      ${o.filledQuantity}${o.averagePrice !== null ? ` @ avg ${o.averagePrice}` : ''}  fees ${fees}`,
    `created     ${time(o.createdAt)}`,
    '',
    `transitions (${o.transitions.length})`,
    ...o.transitions.map((t) => `  ${time(t.at)}  ${t.from} → ${t.to}  (${t.event})`),
    '',
    `fills (${o.fills.length})`,
    ...o.fills.map((f) => `  ${time(f.time)}  ${f.quantity} @ ${f.price}  fee ${f.feeAmount}${f.feeCurrency !== null ? ` ${f.feeCurrency}` : ''}  ${f.liquidity}  trade ${f.tradeId}`),
    ...(o.anomalies.length > 0 ? ['', `anomalies (${o.anomalies.length})`, ...o.anomalies.map((a) => `  ${time(a.at)}  ${a.code}  ${a.detail}`)] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * A page of orders as a table, then (when more follow) the options that list the next page: `--cursor` and
 * `listingArgs`, this listing's own options (its filters, page size and direction: a cursor continues a
 * listing in its own direction only, and without the filters the next page would list every order).
 */
export function formatOrdersPage(page: OrdersPage, listingArgs: readonly string[] = []): string {
  if (page.orders.length === 0) return 'no orders\n';
  const header = ['CLIENT ORDER ID', 'INSTRUMENT', 'SIDE', 'TYPE', 'QUANTITY', 'PRICE', 'FILLED', 'STATE', 'CREATED'];
  const rows = page.orders.map((o) => [
    o.clientOrderId,
    o.instrument,
    o.side,
    o.type,
    o.quantity ?? `${o.quoteQuantity ?? '?'} (quote)`,
    o.price ?? '-',
    o.filledQuantity,
    o.state,
    time(o.createdAt),
  ]);
  let out = table([header, ...rows]);
  if (page.nextCursor !== undefined) out += `more: ${['--cursor', page.nextCursor, ...listingArgs].join(' ')}\n`;
  return out;
}

export function formatStatus(s: EngineStatus): string {
  const byState = Object.entries(s.orders.byState).map(([state, n]) => `${state} ${n}`).join(', ') || '-';
  const lines = [
    `engine     ${s.state}  up ${duration(s.uptimeMs)}  journal seq ${s.journalSeq}`,
    `orders     ${s.orders.live} live, ${s.orders.running} with a running actor  (${byState})`,
    `inspector  ${s.inspector.enabled ? `on${s.inspector.url !== undefined ? `  ${s.inspector.url}` : ''}` : 'off'}`,
    ...s.venues.map((v) => {
      const streams = Object.entries(v.streams).map(([name, st]) => `${name} ${st}`).join(', ') || 'no streams';
      return `venue      ${v.id}  ${v.connected ? 'connected' : 'DISCONNECTED'}  (${streams})`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}

export function formatInspect(r: { enabled: boolean; url?: string }): string {
  return r.enabled ? `inspector on${r.url !== undefined ? `: ${r.url}` : ''}\n` : 'inspector off\n';
}

/** One event as one line: time, client order id, `from → to` or the fill's price, quantity and fee. */
export function formatEvent(e: EngineEvent): string {
  if (e.type === 'transition') return `${time(e.at)}  ${e.clientOrderId}  ${e.from} → ${e.to}  (${e.event})\n`;
  const f = e.fill;
  const fee = `${f.feeAmount}${f.feeCurrency !== null ? ` ${f.feeCurrency}` : ''}`;
  return `${time(f.time)}  ${e.clientOrderId}  fill ${f.quantity} @ ${f.price}  fee ${fee}  ${f.liquidity}  trade ${f.tradeId}\n`;
}

/** CLI spelling of request fields, to point at the flag to fix (`signal.price` → `--limit`). */
export type FieldHints = Readonly<Record<string, string>>;

/**
 * An error as text for stderr. `unreachable` names the socket path and how to start the
 * daemon; daemon errors print their code, message and issues.
 */
export function formatError(err: unknown, hints: FieldHints = {}): string {
  if (err instanceof ClientError && err.code === 'unreachable') {
    return (
      `error: cannot reach the engine daemon at ${err.path}: ${unreachableReason(err.errno)}\n` +
      `  start the daemon with \`npm start\` in the project folder, or point --socket (or ENGINE_SOCKET) at its socket\n`
    );
  }
  if (err instanceof IngressError) {
    const issues = err.issues.map((i) => `  ${issuePath(i, hints)}: ${i.message}\n`).join('');
    return `error: ${err.code}: ${err.message}\n${issues}`;
  }
  if (err instanceof Error) return `error: ${err.message}\n`;
  return `error: ${String(err)}\n`;
}

/** An error as one JSON line for `--json` mode: `{"error": {code, message, issues}}`. */
export function formatErrorJson(err: unknown): string {
  if (err instanceof IngressError) return `${JSON.stringify({ error: { code: err.code, message: err.message, issues: err.issues } })}\n`;
  if (err instanceof ClientError) return `${JSON.stringify({ error: { code: err.code, message: err.message, path: err.path, errno: err.errno ?? null, issues: [] } })}\n`;
  return `${JSON.stringify({ error: { code: 'cli', message: err instanceof Error ? err.message : String(err), issues: [] } })}\n`;
}

function issuePath(issue: Issue, hints: FieldHints): string {
  const key = issue.path.join('.');
  let hint: string | undefined;
  for (let n = issue.path.length; n > 0 && hint === undefined; n--) hint = hints[issue.path.slice(0, n).join('.')];
  const shown = key === '' ? '(request)' : key;
  return hint !== undefined ? `${shown} (${hint})` : shown;
}

function unreachableReason(errno: string | undefined): string {
  switch (errno) {
    case 'ENOENT':
      return 'no socket file there (is the daemon running?)';
    case 'ECONNREFUSED':
      return 'nothing is listening on it (the daemon is not running; the socket file is stale)';
    case 'EACCES':
      return "permission denied (the socket is owner-only: run as the daemon's user)";
    default:
      return errno ?? 'unknown error';
  }
}

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function table(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}\n`).join('');
}
