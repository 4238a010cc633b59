import { AppError, ErrorCode } from '#contracts';
import { sleep, upstreamTimeout } from './deadline.js';

describe('upstreamTimeout', () => {
  it('is an UPSTREAM_TIMEOUT AppError naming the service of the subject, the timeout and the reason', () => {
    const err = upstreamTimeout('identity.auth.login', 1500, 'timeout');

    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe(ErrorCode.UPSTREAM_TIMEOUT);
    expect(err.message).toBe('the identity service did not answer within 1500 ms');
    expect(err.details).toEqual({ reason: 'timeout' });
  });

  it('tells a missing responder apart from a slow one only in details.reason', () => {
    const slow = upstreamTimeout('agent.agents.get', 500, 'timeout');
    const nobody = upstreamTimeout('agent.agents.get', 500, 'no_responders');

    expect(nobody.code).toBe(slow.code);
    expect(nobody.message).toBe(slow.message);
    expect(nobody.toBody()).toEqual({ code: 'UPSTREAM_TIMEOUT', message: 'the agent service did not answer within 500 ms', details: { reason: 'no_responders' } });
  });
});

describe('sleep', () => {
  it('resolves after at least the given time', async () => {
    const started = Date.now();
    await sleep(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29);
  });
});
