import { parse } from 'csv-parse/sync';
import { UserError } from '../api/dispatch.ts';
import { LOT_FIELDS, LotSchema, type Lot, type LotColumnMapping, type LotField } from '../domain/portfolio.ts';
import { SymbolSchema } from '../domain/symbol.ts';

const REQUIRED: readonly LotField[] = ['symbol', 'quantity', 'price', 'date'];

/** A number as brokers write it: spaces and thousands commas allowed ("1,250.5"), nothing else. */
function numberCell(text: string): number | string {
  const t = text.trim().replace(/[\s,]/g, '');
  if (t === '') return text;
  const n = Number(t);
  return Number.isFinite(n) ? n : text;
}

/**
 * The lots of a CSV text (a header row, then one lot a row). Columns are found by name, case and
 * spaces aside: a field's own name (symbol, quantity...) or the column the mapping gives for it.
 * A missing account takes `defaultAccount`; missing fees are 0. Any bad row refuses the whole file
 * with its row number (the first data row is 1) and line, and the reason: nothing is half imported.
 */
export function parseLotsCsv(text: string, mapping: LotColumnMapping, defaultAccount: string | undefined): Lot[] {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true, trim: true }) as string[][];
  } catch (error) {
    throw new UserError(`The CSV could not be read: ${(error as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header || rows.length === 0) throw new UserError('The CSV has no rows under its header');
  const names = header.map((h) => h.trim().toLowerCase());
  const indexOf = new Map<LotField, number>();
  for (const field of LOT_FIELDS) {
    const wanted = (mapping[field] ?? field).trim().toLowerCase();
    const at = names.indexOf(wanted);
    if (at >= 0) indexOf.set(field, at);
    else if (mapping[field] !== undefined)
      throw new UserError(
        `The column "${mapping[field]}" given for ${field} is not in the header "${header.join(',')}"`,
      );
  }
  for (const field of REQUIRED)
    if (!indexOf.has(field))
      throw new UserError(
        `The CSV has no ${field} column (header "${header.join(',')}"): name its column in the mapping`,
      );
  if (!indexOf.has('account') && !defaultAccount?.trim())
    throw new UserError('The CSV has no account column: give a default account');
  return rows.map((fields, i) => {
    const where = `Row ${i + 1} (line ${i + 2})`;
    if (fields.length !== header.length)
      throw new UserError(`${where}: ${fields.length} fields where the header has ${header.length}`);
    const cell = (field: LotField) => {
      const at = indexOf.get(field);
      return at === undefined ? undefined : fields[at]!;
    };
    const symbol = SymbolSchema.safeParse(cell('symbol') ?? '');
    if (!symbol.success)
      throw new UserError(`${where}: symbol "${cell('symbol')}": ${symbol.error.issues[0]!.message}`);
    const fees = cell('fees');
    const candidate = {
      account: cell('account')?.trim() || defaultAccount?.trim() || '',
      symbol: symbol.data,
      quantity: numberCell(cell('quantity')!),
      price: numberCell(cell('price')!),
      date: cell('date')!.trim(),
      fees: fees === undefined || fees.trim() === '' ? 0 : numberCell(fees),
    };
    const lot = LotSchema.safeParse(candidate);
    if (!lot.success) {
      const issue = lot.error.issues[0]!;
      const field = String(issue.path[0] ?? '');
      const given = candidate[field as keyof typeof candidate];
      const message =
        typeof given === 'string' && field !== 'account' && field !== 'date' ? 'must be a number' : issue.message;
      throw new UserError(`${where}: ${field} ${JSON.stringify(String(given))}: ${message}`);
    }
    return lot.data;
  });
}
