/** The log levels, from the most to the least severe (no winston import: the CLI parses these). */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
