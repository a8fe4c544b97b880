/** The SQL console's row and time limits: defaults, and the most a caller may ask for. */
export const SQL_DEFAULT_ROW_LIMIT = 1_000;
export const SQL_MAX_ROW_LIMIT = 100_000;
export const SQL_DEFAULT_TIME_LIMIT_MS = 10_000;
