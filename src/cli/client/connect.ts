/**
 * Reaching a daemon for one command: attach to a running one (--socket, TEMPORAL_HANDLED_SOCKET,
 * or --port with its token file), or start one over stdio for the call.
 */
import * as fs from 'node:fs';
import { TemporalHandledClient, DaemonConnectionError } from 'temporal-handled-client';
import { defaultTokenFile } from '../../transport/listeners';
import type { ClientArgs } from './args';
import { VERSION } from '../../version';
import { parseExact, stringifyExact } from '../../json/exact-json';

export async function connect(args: ClientArgs): Promise<TemporalHandledClient> {
  const { target, namespace } = args;
  const clientName = `temporal-handled ${args.command} (cli ${VERSION})`;
  // Values keep their numbers exactly both ways (an int64 ID in --input or in a result).
  const json = { parse: parseExact, stringify: (v: unknown) => stringifyExact(v) ?? 'null' };
  switch (target.kind) {
    case 'socket':
      return TemporalHandledClient.attach(target.path, { namespace, clientName, json });
    case 'tcp': {
      const tokenFile = target.tokenFile ?? defaultTokenFile();
      let authToken: string;
      try {
        authToken = fs.readFileSync(tokenFile, 'utf8').trim();
      } catch (err) {
        throw new DaemonConnectionError(`Cannot read the daemon's token file ${tokenFile}: ${(err as Error).message}`, { cause: err });
      }
      return TemporalHandledClient.attach(target.port, { namespace, clientName, authToken, json });
    }
    case 'spawn':
      return TemporalHandledClient.spawn({ args: target.daemonArgs, address: target.address, namespace, clientName, stderr: 'pipe', json });
  }
}
