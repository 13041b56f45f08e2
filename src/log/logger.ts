/**
 * The daemon's logger: winston, to stderr or a file, never to stdout (stdout is
 * the protocol in stdio mode). Payload data is logged only at debug level.
 */
import * as winston from 'winston';

export type Logger = winston.Logger;

import { LOG_LEVELS } from './levels';
import { FileLogTransport } from './file-transport';

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
  const transport = opts.file ? new FileLogTransport(opts.file, { format, level }) : new winston.transports.Console({ format, level, stderrLevels: [...LOG_LEVELS] });
  const logger = winston.createLogger({ level, transports: [transport] });
  // winston's isLevelEnabled says yes when any transport admits the level, and the per-client
  // transport (daemon/client-log.ts) admits debug always: every guarded debug line would be built
  // and pushed through winston's streams on each call. The logger's own level decides here (it is
  // raised while a client asks for more).
  logger.isLevelEnabled = function (this: Logger, l: string) {
    return levelAdmits(this.level, l);
  };
  return logger;
}

/** Whether a logger at `current` writes lines of level `l`. */
export function levelAdmits(current: string, l: string): boolean {
  const want = (LOG_LEVELS as readonly string[]).indexOf(l);
  return want !== -1 && want <= (LOG_LEVELS as readonly string[]).indexOf(current);
}
