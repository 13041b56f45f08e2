/**
 * The JSON-RPC error codes the daemon answers with, from the contract. Errors are told
 * apart by `data.type` (see errors.ts); the codes are here for completeness.
 */
export { ErrorCodes as ErrorCodesByType } from '@temporal-handled/protocol';
