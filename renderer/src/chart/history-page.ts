/**
 * Candles per history request of a chart panel: its newest page at mount, older ones as the user
 * scrolls back (pages then grow to as many as are loaded). Its own module so that the renderer
 * benchmark and tests, which run outside the page, use the same number.
 */
export const HISTORY_PAGE = 2_000;
