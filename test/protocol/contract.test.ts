/**
 * The machine-readable contract (protos/openrpc.json) against what the daemon serves.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildOpenRpcDocument, ErrorCodes, methods } from '@temporal-handled/protocol';
import { ErrorCodesByType } from 'temporal-handled-client';
import { handlers } from '../../src/protocol/handlers';
import { VERSION } from '../../src/version';
import { PROTOCOL_METHODS } from '../harness/protocol-methods';
import { spawnDaemon, stdioClient, initialized } from '../harness/daemon';
import { rpcError } from '../harness/rpc-client';

const docPath = path.resolve(__dirname, '..', '..', '..', 'protos', 'openrpc.json');
const doc = JSON.parse(fs.readFileSync(docPath, 'utf8'));

describe('protocol contract (protos/openrpc.json)', function () {
  it('is up to date with the declarations in protos/src (run `npm run gen:protocol`)', () => {
    expect(doc).to.deep.equal(JSON.parse(JSON.stringify(buildOpenRpcDocument(VERSION))));
  });

  it('lists exactly the methods the daemon has handlers for', () => {
    const listed = doc.methods.map((m: { name: string }) => m.name).sort();
    expect(Object.keys(handlers).sort()).to.deep.equal(listed);
    expect(Object.keys(methods).sort()).to.deep.equal(listed);
  });

  it('names every method of PROTOCOL.md', () => {
    for (const name of PROTOCOL_METHODS) {
      expect(doc.methods.map((m: { name: string }) => m.name)).to.include(name);
    }
    const notes = doc['x-notifications'].map((n: { name: string; 'x-direction': string }) => `${n.name}:${n['x-direction']}`);
    expect(notes).to.include.members(['initialized:clientToServer', 'exit:clientToServer', '$/cancelRequest:clientToServer', '$/progress:serverToClient']);
  });

  it('publishes every error code with its data.type, outside the reserved ranges for the daemon’s own', () => {
    for (const [name, code] of Object.entries(ErrorCodes)) {
      expect(doc.components.errors[name]).to.deep.include({ code });
      expect(doc.components.errors[name].data).to.deep.equal({ type: name });
      if (code > 0) {
        expect(code < -32768 || code > -32000).to.equal(true);
      }
    }
  });

  it('the TypeScript client exports the same error codes (it takes them from the contract package)', () => {
    const published = Object.fromEntries(Object.entries(doc.components.errors as Record<string, { code: number }>).map(([k, v]) => [k, v.code]));
    expect(ErrorCodesByType).to.deep.equal(published);
  });

  describe('against the running daemon', function () {
    let d: Awaited<ReturnType<typeof spawnDaemon>>;
    let c: ReturnType<typeof stdioClient>;
    before(async function () {
      this.timeout(120_000);
      d = await spawnDaemon(['--stdio']);
      c = stdioClient(d);
      await initialized(c);
    });
    after(async () => {
      await d.kill();
    });

    it('serves rpc.discover with the same document', async () => {
      const served = await c.request('rpc.discover');
      expect(served).to.deep.equal(doc);
    });

    it('answers every listed method (never MethodNotFound) and refuses unlisted ones', async () => {
      for (const m of doc.methods as { name: string; params: { name: string; required: boolean }[] }[]) {
        if (['shutdown', 'initialize'].includes(m.name)) continue;
        // An unknown param is refused by every method that does not take open params: proves the daemon checks this shape.
        const e = await rpcError(c.request(m.name, { __notAParam: 1 }));
        expect(e.code, m.name).to.equal(ErrorCodes.InvalidParams);
        expect(e.message).to.match(/__notAParam|required/);
      }
      const e = await rpcError(c.request('workflow/teleport', {}));
      expect(e.code).to.equal(ErrorCodes.MethodNotFound);
    });

    it('validates each param with the type the contract gives', async () => {
      type S = { type?: string | string[]; $ref?: string; anyOf?: S[] };
      const typesOf = (s: S): string[] => (s.anyOf ? s.anyOf.flatMap(typesOf) : s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]);
      for (const m of doc.methods as { name: string; params: { name: string; required: boolean; schema: S }[] }[]) {
        for (const p of m.params) {
          const types = typesOf(p.schema);
          if (types.length === 0 || types.includes('object')) continue;
          // A value of a type the contract does not allow must be refused, naming the param.
          const wrong = types.includes('string') || types.includes('integer') ? { nested: true } : 'not-a-' + types[0];
          const params: Record<string, unknown> = {};
          // A valid value of each required param, so that the one made wrong is the one refused.
          const examples: Record<string, unknown> = {
            handle: 'wh_x',
            update: 'wu_x',
            start: { workflowType: 'w', taskQueue: 'q', workflowId: 'x', idConflictPolicy: 'FAIL' },
            partialResultToken: 't',
          };
          for (const q of m.params) if (q.required) params[q.name] = q.name in examples ? examples[q.name] : 'x';
          params[p.name] = wrong;
          const e = await rpcError(c.request(m.name, params));
          expect(e.code, `${m.name} ${p.name}`).to.equal(ErrorCodes.InvalidParams);
          expect(e.message, `${m.name} ${p.name}`).to.include(p.name);
        }
      }
    });
  });
});
