import { describe, expect, it } from 'vitest';
import { parseLotsCsv } from '../../engine/app/portfolio-import.ts';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('not refused');
};

describe('parseLotsCsv', () => {
  it('reads quoted fields, a BOM, any header case, thousands commas and an account per row', () => {
    const csv =
      '\uFEFFAccount,SYMBOL,Quantity,Price,Date,Fees\r\n"ISA, joint",vod.l,"1,500",72.5,2024-05-01,\r\n,AAPL,-2,180,2024-05-02,1.25\r\n';
    expect(parseLotsCsv(csv, {}, 'Main')).toEqual([
      { account: 'ISA, joint', symbol: 'VOD.L', quantity: 1500, price: 72.5, date: '2024-05-01', fees: 0 },
      { account: 'Main', symbol: 'AAPL', quantity: -2, price: 180, date: '2024-05-02', fees: 1.25 },
    ]);
  });

  it('names the row, its line and the reason of the first bad row', () => {
    const head = 'symbol,quantity,price,date\n';
    expect(refusal(() => parseLotsCsv(`${head}AAPL,1,2,2024-01-01\nMSFT,1,2\n`, {}, 'A'))).toBe(
      'Row 2 (line 3): 3 fields where the header has 4',
    );
    expect(refusal(() => parseLotsCsv(`${head}AAPL,1,2,01/02/2024\n`, {}, 'A'))).toBe(
      'Row 1 (line 2): date "01/02/2024": The date must be YYYY-MM-DD',
    );
    expect(refusal(() => parseLotsCsv(`${head}bad symbol!,1,2,2024-01-01\n`, {}, 'A'))).toMatch(
      /^Row 1 \(line 2\): symbol "bad symbol!": A symbol is/,
    );
    expect(refusal(() => parseLotsCsv(`${head}AAPL,1,-2,2024-01-01\n`, {}, 'A'))).toBe(
      'Row 1 (line 2): price "-2": The price cannot be negative',
    );
    expect(refusal(() => parseLotsCsv(head, {}, 'A'))).toBe('The CSV has no rows under its header');
    expect(refusal(() => parseLotsCsv(`${head}AAPL,1,2,2024-01-01\n`, { fees: 'Commission' }, 'A'))).toBe(
      'The column "Commission" given for fees is not in the header "symbol,quantity,price,date"',
    );
  });
});
