import { useState } from 'react';

/**
 * True in the render where `value` differs from the one of the render before (compared with ===).
 * State derived from it can then be set in that same render, so nothing is drawn with the new value
 * beside the old derived state; an effect would set it only after the frame had been committed.
 */
export function useChanged<T>(value: T): boolean {
  const [seen, setSeen] = useState(value);
  if (Object.is(value, seen)) return false;
  setSeen(value);
  return true;
}
