/**
 * Cold start (issue: initialize answered in 150 ms): the daemon's start-up path loads
 * neither gRPC and the protobuf descriptors nor TypeBox; they load on first use (the
 * first Temporal call, a refused param, rpc.discover). A fresh Node process checks which
 * modules the daemon's entry and its session layer pull in.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

describe('architecture: cold start', function () {
  it('the daemon entry, the session and the handlers load no gRPC, protobufjs or TypeBox', () => {
    const script = `
      require(${JSON.stringify(path.join(root, 'dist/src/cli/main.js'))});
      require(${JSON.stringify(path.join(root, 'dist/src/daemon/run.js'))});
      require(${JSON.stringify(path.join(root, 'dist/src/protocol/session.js'))});
      console.log(JSON.stringify(Object.keys(require.cache)));`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[];
    const heavy = loaded.filter((f) => /node_modules[\\/](@grpc|protobufjs|@sinclair[\\/]typebox|@temporalio[\\/]proto)[\\/]/.test(f));
    expect(heavy, heavy.slice(0, 5).join('\n')).to.deep.equal([]);
    // The test can fail: the contract's light entry is loaded, and it is what the check names.
    expect(loaded.some((f) => /protos[\\/]dist[\\/]runtime\.js$/.test(f))).to.equal(true);
  });
});
