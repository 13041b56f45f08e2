/**
 * The daemon's logger: winston, to stderr or a file, never to stdout (stdout is
 * the protocol in stdio mode). Payload data is logged only at debug level.
 */
import * as winston from 'winston';

export type Logger = winston.Logger;

import { LOG_LEVELS } from './levels';

export { LOG_LEVELS };

export function createLogger(opts: { level?: string; file?: string } = {}): Logger {
  const level = opts.level ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new TypeError(`--log-level must be one of ${LOG_LEVELS.join(', ')}; got "${level}"`);
  }
  const format = winston.format.combine(
    winston.format.timestamp(),
    winston.format.printf(({ timestamp, level: lvl, message, ...meta }) => {
      const extra = Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : '';
      return `${timestamp as string} ${lvl} ${String(message)}${extra}`;
    }),
  );
  // The transport keeps this level even while the logger's is raised for a client that
  // asked for more (src/daemon/client-log.ts).
  const transport = opts.file ? new winston.transports.File({ filename: opts.file, format, level }) : new winston.transports.Console({ format, level, stderrLevels: [...LOG_LEVELS] });
  if (opts.file) {
    // A log file that cannot be written (a full disk, a removed directory) is said once on
    // stderr rather than every line lost in silence.
    let told = false;
    transport.on('error', (err: Error) => {
      if (told) return;
      told = true;
      process.stderr.write(`temporal-handled: cannot write the log file ${opts.file}: ${err.message}; log lines are being lost\n`);
    });
  }
  return winston.createLogger({ level, transports: [transport] });
}
