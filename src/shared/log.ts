// Context-prefixed logging. Never pass event content, capability payloads or tokens here:
// they can be private, and logs end up in bug reports.
export type Logger = {
  info: (message: string, ...details: readonly (string | number | boolean)[]) => void;
  warn: (message: string, ...details: readonly (string | number | boolean)[]) => void;
  error: (message: string, ...details: readonly (string | number | boolean)[]) => void;
};

export function createLogger(context: string): Logger {
  const prefix = `[${context}]`;
  return {
    info: (message, ...details) => console.info(prefix, message, ...details),
    warn: (message, ...details) => console.warn(prefix, message, ...details),
    error: (message, ...details) => console.error(prefix, message, ...details),
  };
}
