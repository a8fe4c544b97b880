import type { CommandInput } from '../../../../engine/api/contract.ts';

/** The add-lot form as typed: text until it is sent. */
export interface LotDraft {
  account: string;
  symbol: string;
  quantity: string;
  price: string;
  date: string;
  fees: string;
}

export type LotInput = CommandInput<'portfolio.addLot'>;

/** Today on this computer's clock, as the date input wants it. */
export function todayText(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export const emptyDraft = (account = 'Main'): LotDraft => ({
  account,
  symbol: '',
  quantity: '',
  price: '',
  date: todayText(),
  fees: '',
});

/** A stored lot as the form edits it. */
export const draftOf = (lot: LotInput): LotDraft => ({
  account: lot.account,
  symbol: lot.symbol,
  quantity: String(lot.quantity),
  price: String(lot.price),
  date: lot.date,
  fees: lot.fees ? String(lot.fees) : '',
});

/** A number as people type one ("1,250.5" too); undefined when it is none. */
function number(text: string): number | undefined {
  const t = text.trim().replace(/[\s,]/g, '');
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The draft as the contract's input, or the fields it cannot make a number of. The rest (a zero
 * quantity, a negative price, the date's form) the contract checks, and its messages are shown
 * at the same fields.
 */
export function lotInput(draft: LotDraft): { input: LotInput } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const quantity = number(draft.quantity);
  const price = number(draft.price);
  const fees = draft.fees.trim() === '' ? 0 : number(draft.fees);
  if (quantity === undefined)
    errors.quantity = draft.quantity.trim() ? 'must be a number' : 'How many? (negative for a short)';
  if (price === undefined) errors.price = draft.price.trim() ? 'must be a number' : 'The price paid per unit';
  if (fees === undefined) errors.fees = 'must be a number';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    input: {
      account: draft.account,
      symbol: draft.symbol,
      quantity: quantity!,
      price: price!,
      date: draft.date,
      fees: fees!,
    },
  };
}
