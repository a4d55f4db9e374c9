const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'node', 'msg', 'v']);
const MAX_VALUE = 160;

const COLORS = [36, 35, 33, 32, 34, 31];
const paint = (code: number, text: string) => `\u001b[${code}m${text}\u001b[0m`;

export interface LogFormatOptions {
  /** Width the node id is padded to, so messages line up. */
  width: number;
  /** ANSI colours (only on a terminal). */
  color?: { index: number } | undefined;
}

/**
 * One line of a node's output, prefixed with its node id. Pino JSON becomes
 * `HH:MM:SS node LEVEL message key=value …`; anything else passes through as is.
 */
export function formatLogLine(node: string, line: string, opts: LogFormatOptions): string {
  const label = opts.color
    ? paint(COLORS[opts.color.index % COLORS.length]!, node.padEnd(opts.width))
    : node.padEnd(opts.width);
  const record = parseRecord(line);
  if (!record) return `${label} | ${line}`;
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 19) : '--:--:--';
  const level = LEVELS[record.level as number] ?? String(record.level);
  const levelText = opts.color && (record.level as number) >= 40 ? paint(31, level.padEnd(5)) : level.padEnd(5);
  const fields = Object.entries(record)
    .filter(([k, v]) => !SKIP.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${formatValue(v)}`);
  return [time, label, levelText, String(record.msg ?? ''), ...fields].join(' ').trimEnd();
}

function parseRecord(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return 'level' in value ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function formatValue(v: unknown): string {
  const text = typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}
