/**
 * JSON-RPC 2.0 envelope checks: what makes a parsed body a request, a notification or a
 * response. The transport hands every parsed body here before it reaches vscode-jsonrpc.
 */
import { ExactNumber, isJsonStructure } from '../json/exact-json';
import { invalidParams, invalidRequest, type RpcError } from './response-errors';

export interface EnvelopeProblem {
  /** The id to answer with (null when it could not be read). */
  id: string | number | null;
  error: RpcError;
  /** The message is a notification: JSON-RPC forbids answering one, so the problem is only logged. */
  notification?: boolean;
}

function validId(id: unknown): id is string | number {
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

/**
 * An id written in a form a double does not print back (`1.0`) is used as its
 * number when that is a safe integer; one a double cannot hold (a 20-digit integer)
 * could not be echoed exactly, so it is refused by name rather than answered under
 * another id.
 */
function exactId(holder: Record<string, unknown>): string | undefined {
  const id = holder.id;
  if (!(id instanceof ExactNumber)) return undefined;
  const n = id.valueOf();
  if (Number.isSafeInteger(n)) {
    holder.id = n;
    return undefined;
  }
  return `"id" ${id.text} cannot be echoed exactly: use a string, or an integer within ±(2^53 - 1)`;
}

/** What is wrong with a parsed message, or undefined when it is a valid JSON-RPC 2.0 message. */
export function checkEnvelope(msg: unknown): EnvelopeProblem | undefined {
  if (Array.isArray(msg)) return { id: null, error: invalidRequest('a batch must be checked element by element') };
  if (typeof msg !== 'object' || msg === null) return { id: null, error: invalidRequest('a message must be a JSON object') };
  const m = msg as Record<string, unknown>;
  const badId = exactId(m);
  if (badId) return { id: null, error: invalidRequest(badId) };
  const p0 = m.params;
  if (m.method === '$/cancelRequest' && typeof p0 === 'object' && p0 !== null && !Array.isArray(p0)) {
    const badCancelId = exactId(p0 as Record<string, unknown>);
    if (badCancelId) return { id: null, error: invalidParams(`$/cancelRequest: ${badCancelId}`) };
  }
  const id = validId(m.id) ? m.id : null;
  // `"params": null` is what some libraries (Emacs's jsonrpc.el) send for "no params".
  if (m.params === null) delete m.params;
  const problem = checkFields(m, id);
  if (problem && typeof m.method === 'string' && !('id' in m)) problem.notification = true;
  return problem;
}

function checkFields(m: Record<string, unknown>, id: string | number | null): EnvelopeProblem | undefined {
  if (m.jsonrpc !== '2.0') return { id, error: invalidRequest('"jsonrpc" must be "2.0"') };
  if ('method' in m) {
    if (typeof m.method !== 'string' || m.method === '') return { id, error: invalidRequest('"method" must be a non-empty string') };
    if ('id' in m && !validId(m.id)) return { id: null, error: invalidRequest('"id" must be a string or a number') };
    if ('params' in m && !isJsonStructure(m.params)) return { id, error: invalidRequest('"params" must be an object or an array') };
    if (m.method === '$/cancelRequest') {
      const p = m.params as Record<string, unknown> | undefined;
      if (typeof p !== 'object' || p === null || Array.isArray(p) || !validId(p.id)) {
        return { id, error: invalidParams('$/cancelRequest needs params {"id": string | number}') };
      }
    }
    return undefined;
  }
  if ('result' in m || 'error' in m) {
    if (!('id' in m)) return { id: null, error: invalidRequest('a response needs an "id"') };
    return undefined;
  }
  return { id, error: invalidRequest('a message needs a "method" (request or notification) or a "result"/"error" (response)') };
}
