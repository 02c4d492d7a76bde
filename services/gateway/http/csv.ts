// CSV downloads as spreadsheet programs read them: UTF-8 with a byte-order mark (so Chinese text opens correctly),
// CRLF records, RFC 4180 quoting by csv-stringify.
import { stringify } from 'csv-stringify/sync';
import { RawBody } from './api';

export function spreadsheetCsv(records: readonly (readonly string[])[]): string {
  return `\ufeff${stringify(records as string[][], { record_delimiter: 'windows' })}`;
}

/** A CSV answer offered as a file named `filename`. */
export const csvDownload = (records: readonly (readonly string[])[], filename: string): RawBody =>
  new RawBody(spreadsheetCsv(records), 'text/csv; charset=utf-8', `attachment; filename="${filename}"`);
