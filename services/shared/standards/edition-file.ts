// Reading an edition file (issue #17): CSV (csv-parse), XLSX (exceljs, first worksheet) or JSON, into the rows that
// edition.ts checks. Each format keeps the file's own row numbers, so a report names the row a person sees.
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { editionColumns, parseEditionJson, parseEditionTable, type EditionRow, type RowProblem } from './edition';

export type EditionFormat = 'csv' | 'xlsx' | 'json';
export const editionFormats: readonly EditionFormat[] = ['csv', 'xlsx', 'json'];

/** The format a file name implies, if any. */
export function formatOfName(name: string): EditionFormat | undefined {
  const ext = /\.([A-Za-z]+)$/.exec(name)?.[1]?.toLowerCase();
  return editionFormats.find((f) => f === ext);
}

/** Reads the file's rows and the problems of each row on its own. Never throws for a bad file: its problems are the answer. */
export async function readEdition(bytes: Uint8Array, format: EditionFormat): Promise<{ rows: EditionRow[]; problems: RowProblem[] }> {
  switch (format) {
    case 'csv': {
      let table: string[][];
      try {
        table = parse(Buffer.from(bytes), { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
      } catch (error) {
        const e = error as { lines?: number; message?: string };
        return { rows: [], problems: [{ row: e.lines ?? 0, column: '', message: `not a CSV file: ${e.message ?? String(error)}` }] };
      }
      return parseEditionTable(table);
    }
    case 'xlsx': {
      const workbook = new ExcelJS.Workbook();
      try {
        await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
      } catch (error) {
        return { rows: [], problems: [{ row: 0, column: '', message: `not an XLSX workbook: ${(error as Error).message}` }] };
      }
      const sheet = workbook.worksheets[0];
      if (!sheet) return { rows: [], problems: [{ row: 0, column: '', message: 'the workbook has no worksheet' }] };
      // The first row is the header; the sheet's own row numbers are kept for the report.
      const table: string[][] = [];
      const width = Math.max(sheet.columnCount, editionColumns.length);
      for (let r = 1; r <= sheet.rowCount; r++) {
        const row = sheet.getRow(r);
        const cells: string[] = [];
        for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value));
        table.push(cells);
      }
      return parseEditionTable(table);
    }
    case 'json': {
      let value: unknown;
      try {
        value = JSON.parse(
          Buffer.from(bytes)
            .toString('utf8')
            .replace(/^\uFEFF/, ''),
        );
      } catch (error) {
        return { rows: [], problems: [{ row: 0, column: '', message: `not a JSON document: ${(error as Error).message}` }] };
      }
      return parseEditionJson(value);
    }
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((t) => t.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value && value.result !== undefined && value.result !== null) return cellText(value.result as ExcelJS.CellValue);
  }
  return '';
}

/** The header row of the template: "中文 english_key" for each column. */
export function templateHeader(): string[] {
  return editionColumns.map((c) => `${c.zh} ${c.key}`);
}

/** An XLSX workbook of the given rows under the template header (the template and the tests' files). */
export async function editionXlsx(rows: readonly (readonly string[])[], note?: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('edition');
  sheet.addRow(templateHeader());
  for (const r of rows) sheet.addRow([...r]);
  if (note) workbook.addWorksheet('README').addRow([note]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
