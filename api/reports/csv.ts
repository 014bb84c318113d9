/**
 * The monthly report as CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs read the Chinese
 * unit names).
 */
import { rateNames } from '../../domain/scoring';
import type { MonthlyReport } from './service';

function cell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  // Quote when needed; neutralise spreadsheet formulas (=, +, -, @ at the start).
  const safe = /^[=+\-@]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function reportCsv(report: MonthlyReport): string {
  const breakdownKeys = [...new Set(report.units.flatMap((u) => Object.keys(u.breakdown)))].sort();
  const header = ['month', 'unitId', 'unitName', 'volume', 'volumeRank', ...rateNames, ...breakdownKeys.map((k) => `points.${k}`), 'score'];
  const lines = [header.map(cell).join(',')];
  for (const u of report.units) {
    lines.push(
      [
        report.month,
        u.unitId,
        u.unitName,
        u.volume,
        u.volumeRank,
        ...rateNames.map((r) => (u.rates[r] === null ? '' : Number(u.rates[r]!.toFixed(4)))),
        ...breakdownKeys.map((k) => u.breakdown[k] ?? ''),
        u.score,
      ]
        .map(cell)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
