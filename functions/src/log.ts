/** Where every layer writes what happened; passed in, never imported as a singleton. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** One JSON object per line: readable in a terminal, parseable by Cloud Logging. */
export const jsonLogger: Logger = {
  info: (message, fields) => console.log(JSON.stringify({ severity: 'INFO', message, ...fields })),
  warn: (message, fields) => console.warn(JSON.stringify({ severity: 'WARNING', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ severity: 'ERROR', message, ...fields })),
};
