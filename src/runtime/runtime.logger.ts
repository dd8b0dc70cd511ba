/** The runtime's logging seam: plain console by default; the Nest app passes its own logger. */
export interface RuntimeLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: RuntimeLogger = {
  info: (message) => console.log(`[prism] ${message}`),
  warn: (message) => console.warn(`[prism] ${message}`),
  error: (message) => console.error(`[prism] ${message}`),
};

export const silentLogger: RuntimeLogger = { info: () => {}, warn: () => {}, error: () => {} };
