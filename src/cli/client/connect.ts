/**
 * Reaching a daemon for one command: attach to a running one (--socket, TEMPORAL_HANDLED_SOCKET,
 * or --port with its token file), or start one over stdio for the call.
 */
import * as fs from 'node:fs';
import { TemporalHandledClient, DaemonConnectionError } from '../../../clients/typescript/src';
import { defaultTokenFile } from '../../transport/listeners';
import type { ClientArgs } from './args';
import { VERSION } from '../../version';

export async function connect(args: ClientArgs): Promise<TemporalHandledClient> {
  const { target, namespace } = args;
  const clientName = `temporal-handled ${args.command} (cli ${VERSION})`;
  switch (target.kind) {
    case 'socket':
      return TemporalHandledClient.attach(target.path, { namespace, clientName });
    case 'tcp': {
      const tokenFile = target.tokenFile ?? defaultTokenFile();
      let authToken: string;
      try {
        authToken = fs.readFileSync(tokenFile, 'utf8').trim();
      } catch (err) {
        throw new DaemonConnectionError(`Cannot read the daemon's token file ${tokenFile}: ${(err as Error).message}`, { cause: err });
      }
      return TemporalHandledClient.attach(target.port, { namespace, clientName, authToken });
    }
    case 'spawn':
      return TemporalHandledClient.spawn({ args: target.daemonArgs, address: target.address, namespace, clientName, stderr: 'pipe' });
  }
}
