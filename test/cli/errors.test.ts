/** How a failure maps to its exit code and line (src/cli/errors.ts); the product-level cases are in user-errors.test.ts. */
import { describe, expect, it } from 'vitest';
import { describeFailure, EXIT, storeUnavailable, UsageError } from '../../src/cli/errors.ts';
import { ChannelRefusedError, ConfigError, NotFoundError, OrderhubError } from '../../src/core/errors.ts';
import { NetworkError } from '../../src/core/http/errors.ts';

describe('describeFailure', () => {
  it('sends the user\'s mistakes to 2, failed work to 1, an unusable store to 3', () => {
    expect(describeFailure(new UsageError('bad')).exitCode).toBe(EXIT.usage);
    expect(describeFailure(new ConfigError('x.yaml', ['a: b'])).exitCode).toBe(EXIT.usage);
    expect(describeFailure(new NotFoundError('no order')).exitCode).toBe(EXIT.usage);
    expect(describeFailure(new OrderhubError('usage', '--limit must be …')).exitCode).toBe(EXIT.usage);
    expect(describeFailure(new ChannelRefusedError('not allowed')).exitCode).toBe(EXIT.failed);
    expect(describeFailure(new NetworkError('drinks-pl: GET /x: connection failed', {})).exitCode).toBe(EXIT.failed);
    const denied = Object.assign(new Error("EACCES: permission denied, mkdir '/srv/x'"), { code: 'EACCES', syscall: 'mkdir', path: '/srv/x' });
    const store = describeFailure(storeUnavailable('/srv/x/hub.db', denied));
    expect(store).toEqual({ exitCode: EXIT.unavailable, message: 'error: cannot open the database /srv/x/hub.db: permission denied (EACCES) at /srv/x' });
  });

  it('prints an unexpected error in one line, with its stack only when ORDERHUB_DEBUG=1', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    const quiet = describeFailure(bug, false);
    expect(quiet.exitCode).toBe(EXIT.internal);
    expect(quiet.message).toBe("error: Cannot read properties of undefined (reading 'x') (unexpected: ORDERHUB_DEBUG=1 prints the stack trace)");
    const loud = describeFailure(bug, true);
    expect(loud.message.split('\n')[0]).toBe("error: Cannot read properties of undefined (reading 'x') (unexpected: stack trace follows)");
    expect(loud.message).toMatch(/\n\s+at /);
  });
});
