/**
 * The daemon's log lines about a connection, sent to that client as window/logMessage
 * when it asked for them (initializationOptions.logLevel or $/setTrace). A winston
 * transport: each line carries its session's id (the session's child logger adds it).
 */
import TransportStream from 'winston-transport';
import { LOG_LEVELS, type LogLevel } from '../log/levels';
import type { Logger } from '../log/logger';
import type { Session } from '../protocol/session';

const rank = (l: LogLevel) => LOG_LEVELS.indexOf(l);

export class ClientLogTransport extends TransportStream {
  constructor(private readonly sessionById: (id: number) => Session | undefined) {
    super({ level: 'debug' });
  }

  override log(info: { level: string; message: unknown; session?: number }, next: () => void): void {
    const s = typeof info.session === 'number' ? this.sessionById(info.session) : undefined;
    const want = s?.clientLogLevel;
    const level = info.level as LogLevel;
    if (s && want !== undefined && rank(level) !== -1 && rank(level) <= rank(want)) s.sendLogMessage(level, String(info.message));
    next();
  }
}

/**
 * The logger's level: its own (what goes to stderr or the file), or more verbose while a
 * client asks for more. The file or stderr transport keeps the base level.
 */
export function applyLogLevel(logger: Logger, base: LogLevel, sessions: Iterable<Session>): void {
  let level = base;
  for (const s of sessions) if (s.clientLogLevel !== undefined && rank(s.clientLogLevel) > rank(level)) level = s.clientLogLevel;
  if (logger.level !== level) logger.level = level;
}
