/**
 * The logger's level checks: a guarded debug line is built only when the logger's own level
 * (raised while a client asks for more) admits it, whatever its transports admit.
 */
import { expect } from 'chai';
import { createLogger, levelAdmits } from '../../src/log/logger';
import { ClientLogTransport } from '../../src/daemon/client-log';

describe('logger level checks', function () {
  it('levelAdmits: a level admits itself and the more severe ones, nothing unknown', () => {
    expect(levelAdmits('info', 'error')).to.equal(true);
    expect(levelAdmits('info', 'info')).to.equal(true);
    expect(levelAdmits('info', 'debug')).to.equal(false);
    expect(levelAdmits('debug', 'debug')).to.equal(true);
    expect(levelAdmits('warn', 'verbose')).to.equal(false);
  });

  it('isDebugEnabled follows the logger level, not the per-client transport that admits debug always', () => {
    const logger = createLogger({ level: 'warn' });
    logger.add(new ClientLogTransport(() => undefined));
    const child = logger.child({ session: 1 });
    expect(logger.isDebugEnabled()).to.equal(false);
    expect(child.isDebugEnabled()).to.equal(false);
    expect(child.isWarnEnabled()).to.equal(true);
    logger.level = 'debug';
    expect(child.isDebugEnabled()).to.equal(true);
    logger.close();
  });
});
