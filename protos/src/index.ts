/**
 * @temporal-handled/protocol: the contract between the daemon and its clients.
 * Every method's params, result and errors are declared once (methods.ts); the daemon
 * validates with these schemas, both TypeScript packages take their types from them,
 * and openrpc.json (for every other language) is generated from them.
 */
export * from './kinds';
export * from './values';
export * from './shapes';
export * from './error-codes';
export * from './declare';
export * from './methods';
export { buildOpenRpcDocument } from './openrpc';
