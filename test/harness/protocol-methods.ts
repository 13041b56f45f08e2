/** The request methods ../shared/PROTOCOL.md names, as the tests check them against the daemon. */
export const PROTOCOL_METHODS = [
  'initialize',
  'shutdown',
  'workflow/start',
  'workflow/getHandle',
  'handle/info',
  'handle/describe',
  'handle/query',
  'handle/signal',
  'handle/cancel',
  'handle/terminate',
  'handle/result',
  'handle/release',
  'daemon/status',
] as const;
