/**
 * A table people read (Chinese column headers, times in +08:00) sent as CSV or as an Excel
 * workbook (exceljs): the supervisor's exports of the month's table and of every list. Numbers
 * stay numbers in both (a rate 0.9523 is the number 0.9523, shown as a percentage in Excel).
 */
import type ExcelJSModule from 'exceljs';
import type { Response } from 'express';
import { chinaUtcOffsetMinutes } from '../../domain/calendar';

export type ExportFormat = 'csv' | 'xlsx';

/** One column: its Chinese header, and how its values are written. */
export interface ExportColumn<Row> {
  header: string;
  value: (row: Row) => string | number | boolean | null | undefined;
  /** `rate`: a share in [0, 1] shown as a percentage; `time`: an ISO instant shown in +08:00. */
  type?: 'text' | 'number' | 'rate' | 'time';
  width?: number;
}

/** `2026-03-02 09:00`: an instant in China time, as the console shows it. */
export function chinaTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const local = new Date(Date.parse(iso) + chinaUtcOffsetMinutes * 60_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)}`;
}

function cellValue<Row>(column: ExportColumn<Row>, row: Row): string | number | null {
  const v = column.value(row);
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (column.type === 'time') return chinaTime(String(v));
  return v;
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  // Neutralise spreadsheet formulas (=, +, -, @ at the start); quote when needed.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 CSV, UTF-8 with BOM so spreadsheet programs read the Chinese. */
export function tableCsv<Row>(columns: ExportColumn<Row>[], rows: Row[]): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(cellValue(c, row))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

// exceljs takes ≈0.8 s of CPU to load, a tenth of the service's start (issue 9): loaded at the first export.
let excel: typeof ExcelJSModule | undefined;
const loadExcel = (): typeof ExcelJSModule => (excel ??= require('exceljs') as typeof ExcelJSModule);

/** An .xlsx workbook with one sheet: a bold header row, frozen, and typed cells. */
export async function tableXlsx<Row>(sheetName: string, columns: ExportColumn<Row>[], rows: Row[]): Promise<Buffer> {
  const workbook = new (loadExcel().Workbook)();
  workbook.creator = '12345 热线工单系统';
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.header,
    width: c.width ?? (c.type === 'time' ? 18 : c.type === 'text' || c.type === undefined ? 20 : 12),
    style: c.type === 'rate' ? { numFmt: '0.00%' } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) sheet.addRow(columns.map((c) => cellValue(c, row)));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Sends `rows` as a download named `<name>.<format>`. */
export async function sendTable<Row>(res: Response, format: ExportFormat, name: string, sheetName: string, columns: ExportColumn<Row>[], rows: Row[]): Promise<void> {
  // ASCII fallback plus the UTF-8 name (RFC 6266), so the Chinese file name survives.
  const file = `${name}.${format}`;
  res.set('Content-Disposition', `attachment; filename="${file.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file)}`);
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8').send(tableCsv(columns, rows));
  } else {
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await tableXlsx(sheetName, columns, rows));
  }
}
