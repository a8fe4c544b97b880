import { useCallback, useEffect, useRef, useState } from 'react';
import type { CommandOutput, PortfolioView as Summary, PositionView } from '../../../../engine/api/contract.ts';
import type { ApiClient } from '../../api/client.ts';
import { downloadFile } from '../../download.ts';
import { formatPercent, formatPrice } from '../../format.ts';
import { ImportDialog } from './ImportDialog.tsx';
import { LotForm } from './LotForm.tsx';
import type { LotInput } from './lot-draft.ts';
import { PnlHistoryChart, type HistoryMeasure } from './PnlHistoryChart.tsx';

type Lots = CommandOutput<'portfolio.lots'>;
type History = CommandOutput<'portfolio.history'>;

const BASES = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', 'SEK', 'NOK', 'DKK', 'HKD', 'SGD'];
/** Prices move many times a second; people read a table once a second at most. */
const REFRESH_MS = 1_000;

const money = (n: number) =>
  new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);
const signedMoney = (n: number) => `${n > 0 ? '+' : ''}${money(n)}`;
const quantityText = (n: number) => new Intl.NumberFormat(undefined, { maximumFractionDigits: 8 }).format(n);
/** A share of the gross exposure: a short's is negative, and no plus sign on the others. */
const weightText = (n: number) =>
  new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);
const tone = (n: number | null) => (n === null || n === 0 ? '' : n > 0 ? 'up' : 'down');

/** Positions per account with their P&L, the lots behind them, their import, export and history. */
export function PortfolioView({ api, theme }: { api: ApiClient; theme: string }) {
  const [summary, setSummary] = useState<Summary | null>(null);
  const [lots, setLots] = useState<Lots>([]);
  const [history, setHistory] = useState<History | null>(null);
  const [measure, setMeasure] = useState<HistoryMeasure>('totalPnl');
  const [importing, setImporting] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const fail = (e: unknown) => setMessage({ error: true, text: e instanceof Error ? e.message : String(e) });
  const reloadAll = useCallback(async () => {
    const [s, l, h] = await Promise.all([
      api.call('portfolio.summary', {}),
      api.call('portfolio.lots', {}),
      api.call('portfolio.history', {}),
    ]);
    setSummary(s);
    setLots(l);
    setHistory(h);
  }, [api]);

  useEffect(() => {
    reloadAll().catch(fail);
  }, [reloadAll]);

  // New prices arrive with the watchlist event: the figures follow, once a second at most.
  const due = useRef<number | undefined>(undefined);
  useEffect(() => {
    const off = api.on('watchlist', () => {
      if (due.current !== undefined) return;
      due.current = window.setTimeout(() => {
        due.current = undefined;
        api.call('portfolio.summary', {}).then(setSummary, () => undefined);
      }, REFRESH_MS);
    });
    return () => {
      off();
      window.clearTimeout(due.current);
      due.current = undefined;
    };
  }, [api]);

  const changed = async (next: Summary, text?: string) => {
    setSummary(next);
    setMessage(text ? { error: false, text } : null);
    const [l, h] = await Promise.all([api.call('portfolio.lots', {}), api.call('portfolio.history', {})]);
    setLots(l);
    setHistory(h);
  };

  const addLot = async (lot: LotInput) => {
    await changed(await api.call('portfolio.addLot', lot), `Added ${lot.quantity} ${lot.symbol.toUpperCase()}`);
  };
  const [editing, setEditing] = useState<Lots[number] | null>(null);
  const saveLot = async (id: number, lot: LotInput) => {
    await changed(await api.call('portfolio.editLot', { id, ...lot }), `Lot ${id} saved`);
    setEditing(null);
  };
  const removeLot = (id: number) =>
    api
      .call('portfolio.removeLot', { id })
      .then((s) => changed(s, 'Lot removed'))
      .catch(fail);
  const setBase = (base: string) =>
    api
      .call('portfolio.setBase', { base })
      .then((s) => changed(s))
      .catch(fail);
  const exportCsv = () =>
    api
      .call('portfolio.exportCsv', {})
      .then(({ filename, csv }) => downloadFile(filename, csv, 'text/csv'))
      .catch(fail);

  if (!summary) return <section className="portfolio" aria-label="Portfolio" />;
  const empty = lots.length === 0;
  const accounts = [...new Set(summary.positions.map((p) => p.account))];
  const bases = BASES.includes(summary.base) ? BASES : [summary.base, ...BASES];
  return (
    <section className="portfolio" aria-label="Portfolio">
      <div className="portfolio-bar">
        <h2>Portfolio</h2>
        <label className="portfolio-base">
          Base currency
          <select value={summary.base} onChange={(e) => void setBase(e.target.value)} aria-label="Base currency">
            {bases.map((b) => (
              <option key={b}>{b}</option>
            ))}
          </select>
        </label>
        <div className="portfolio-actions">
          <button type="button" onClick={() => setImporting(true)}>
            Import CSV…
          </button>
          <button type="button" onClick={() => void exportCsv()} disabled={empty} data-action="export-positions">
            Export CSV
          </button>
        </div>
      </div>
      {message && (
        <p className={message.error ? 'field-error' : 'portfolio-message'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      {empty ? (
        <div className="portfolio-empty" data-testid="portfolio-empty">
          <h3>No positions yet</h3>
          <p>
            Add a lot below: the account it is in, the symbol, how many (a negative quantity for a short), the price
            paid per unit as the symbol is quoted, and the trade date. Or import your broker&rsquo;s CSV.
          </p>
          <p>
            Each symbol you hold goes on the watchlist so its price streams in, and so does the FX rate that converts it
            into {summary.base} (EURUSD=X for a euro listing).
          </p>
        </div>
      ) : (
        <>
          <Totals summary={summary} />
          <div className="table-scroll">
            <table className="positions" data-testid="positions">
              <thead>
                <tr>
                  <th>Symbol</th>
                  <th className="num">Quantity</th>
                  <th className="num">Avg price</th>
                  <th className="num">Last</th>
                  <th className="num">Market value</th>
                  <th className="num">Day P&amp;L</th>
                  <th className="num">Total P&amp;L</th>
                  <th className="num">Total %</th>
                  <th className="num">Weight</th>
                </tr>
              </thead>
              {accounts.map((account) => (
                <AccountRows
                  key={account}
                  account={account}
                  positions={summary.positions.filter((p) => p.account === account)}
                />
              ))}
            </table>
          </div>
          {summary.unvalued > 0 && (
            <p className="empty">
              {summary.unvalued} position{summary.unvalued === 1 ? ' is' : 's are'} left out of the totals until its
              price or FX rate arrives (see the position).
            </p>
          )}
        </>
      )}
      <h3 className="portfolio-heading">{editing ? `Edit lot ${editing.id}` : 'Add a lot'}</h3>
      <LotForm
        accounts={summary.accounts}
        onAdd={addLot}
        editing={editing}
        onSave={saveLot}
        onCancel={() => setEditing(null)}
      />
      {!empty && (
        <>
          <h3 className="portfolio-heading">P&amp;L history</h3>
          {history && history.points.length > 0 ? (
            <div className="pnl-history">
              <div className="segmented" role="group" aria-label="History of">
                {(['totalPnl', 'marketValue'] as const).map((m) => (
                  <button key={m} type="button" aria-pressed={measure === m} onClick={() => setMeasure(m)}>
                    {m === 'totalPnl' ? `Total P&L (${history.base})` : `Market value (${history.base})`}
                  </button>
                ))}
              </div>
              <PnlHistoryChart history={history} measure={measure} theme={theme} />
            </div>
          ) : (
            <p className="empty">No daily closes of these symbols are stored yet: the history starts with them.</p>
          )}
          <h3 className="portfolio-heading">Lots</h3>
          <LotTable
            lots={lots}
            onEdit={(lot) => {
              setEditing(lot);
              document.querySelector('.lot-form')?.scrollIntoView({ block: 'nearest' });
            }}
            onRemove={(id) => {
              if (editing?.id === id) setEditing(null);
              void removeLot(id);
            }}
          />
        </>
      )}
      {importing && (
        <ImportDialog
          api={api}
          defaultAccount={summary.accounts[0] ?? 'Main'}
          onClose={() => setImporting(false)}
          onImported={(count) => {
            setImporting(false);
            reloadAll()
              .then(() => setMessage({ error: false, text: `Imported ${count} lot${count === 1 ? '' : 's'}` }))
              .catch(fail);
          }}
        />
      )}
    </section>
  );
}

function Totals({ summary }: { summary: Summary }) {
  const invested = summary.positions.reduce((s, p) => s + (p.marketValue === null ? 0 : Math.abs(p.cost)), 0);
  const figures: Array<[string, string, string, string]> = [
    ['Market value', money(summary.marketValue), '', 'total-value'],
    ['Day P&L', signedMoney(summary.dayPnl), tone(summary.dayPnl), 'total-day'],
    [
      'Total P&L',
      `${signedMoney(summary.totalPnl)}${invested > 0 ? ` (${formatPercent(summary.totalPnl / invested)})` : ''}`,
      tone(summary.totalPnl),
      'total-pnl',
    ],
    // Shorts count negative: what went in net of what the shorts took in.
    ['Net cost', money(summary.cost), '', 'total-cost'],
  ];
  const rates = Object.entries(summary.rates);
  return (
    <div className="portfolio-totals" data-testid="portfolio-totals">
      {figures.map(([label, value, cls, id]) => (
        <div key={label} className="portfolio-total">
          <span className="label">
            {label} ({summary.base})
          </span>
          <span className={`value ${cls}`} data-testid={id}>
            {value}
          </span>
        </div>
      ))}
      {(rates.length > 0 || summary.missingRates.length > 0) && (
        <div className="portfolio-total rates">
          <span className="label">FX</span>
          <span className="value-small">
            {rates.map(([symbol, rate]) => `${symbol} ${rate.toFixed(4)}`).join(' · ')}
            {summary.missingRates.length > 0 && (
              <span className="down"> waiting for {summary.missingRates.join(', ')}</span>
            )}
          </span>
        </div>
      )}
    </div>
  );
}

function AccountRows({ account, positions }: { account: string; positions: PositionView[] }) {
  const valued = positions.filter((p) => p.marketValue !== null);
  const sum = (pick: (p: PositionView) => number | null) => valued.reduce((s, p) => s + (pick(p) ?? 0), 0);
  return (
    <tbody data-account={account}>
      <tr className="account-row">
        <th scope="rowgroup" colSpan={4}>
          {account}
        </th>
        <td className="num">{money(sum((p) => p.marketValue))}</td>
        <td className={`num ${tone(sum((p) => p.dayPnl))}`}>{signedMoney(sum((p) => p.dayPnl))}</td>
        <td className={`num ${tone(sum((p) => p.totalPnl))}`}>{signedMoney(sum((p) => p.totalPnl))}</td>
        <td />
        <td className="num">{weightText(sum((p) => p.weight))}</td>
      </tr>
      {positions.map((p) => (
        <tr key={p.symbol} data-symbol={p.symbol} title={p.problem ?? undefined}>
          <td>
            {p.symbol}
            {p.quantity < 0 && <span className="tag">short</span>}
            {p.currency && <span className="currency">{p.currency}</span>}
            {p.problem && <div className="position-problem">{p.problem}</div>}
          </td>
          <td className="num" data-col="quantity">
            {quantityText(p.quantity)}
          </td>
          <td className="num" data-col="average">
            {formatPrice(p.averagePrice)}
          </td>
          <td className="num" data-col="last">
            {p.lastPrice === null ? '—' : formatPrice(p.lastPrice)}
          </td>
          <td className="num" data-col="value">
            {p.marketValue === null ? '—' : money(p.marketValue)}
          </td>
          <td className={`num ${tone(p.dayPnl)}`} data-col="day">
            {p.dayPnl === null ? '—' : signedMoney(p.dayPnl)}
          </td>
          <td className={`num ${tone(p.totalPnl)}`} data-col="total">
            {p.totalPnl === null ? '—' : signedMoney(p.totalPnl)}
          </td>
          <td className={`num ${tone(p.totalPnlPercent)}`} data-col="percent">
            {p.totalPnlPercent === null ? '—' : formatPercent(p.totalPnlPercent / 100)}
          </td>
          <td className="num" data-col="weight">
            {p.weight === null ? '—' : weightText(p.weight)}
          </td>
        </tr>
      ))}
    </tbody>
  );
}

function LotTable({
  lots,
  onEdit,
  onRemove,
}: {
  lots: Lots;
  onEdit: (lot: Lots[number]) => void;
  onRemove: (id: number) => void;
}) {
  return (
    <div className="table-scroll">
      <table className="lots" data-testid="lots">
        <thead>
          <tr>
            <th>Account</th>
            <th>Symbol</th>
            <th>Date</th>
            <th className="num">Quantity</th>
            <th className="num">Price</th>
            <th className="num">Fees</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {lots.map((lot) => (
            <tr key={lot.id} data-lot={lot.id}>
              <td>{lot.account}</td>
              <td>{lot.symbol}</td>
              <td>{lot.date}</td>
              <td className="num">{quantityText(lot.quantity)}</td>
              <td className="num">{formatPrice(lot.price)}</td>
              <td className="num">{lot.fees === 0 ? '—' : money(lot.fees)}</td>
              <td className="num">
                <button
                  type="button"
                  className="link"
                  onClick={() => onEdit(lot)}
                  aria-label={`Edit lot ${lot.id}: ${lot.quantity} ${lot.symbol} on ${lot.date}`}
                >
                  Edit
                </button>{' '}
                <button
                  type="button"
                  className="link"
                  onClick={() => onRemove(lot.id)}
                  aria-label={`Remove lot ${lot.id}: ${lot.quantity} ${lot.symbol} on ${lot.date}`}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
