import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from './webhook-signature.js';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"hello":"world"}';
  const now = 1_800_000_000;

  it('signs "<timestamp>.<body>" with HMAC-SHA256, as a receiver can recompute with any HMAC library', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(signWebhook(secret, now, body)).toBe(`v1=${expected}`);
  });

  it('accepts a fresh, well-signed delivery (also among several signatures during a rotation)', () => {
    const signature = signWebhook(secret, now, body);
    expect(verifyWebhook(secret, { timestamp: String(now), signature }, body, now + 10)).toEqual({ ok: true });
    expect(verifyWebhook(secret, { timestamp: String(now), signature: `v1=00, ${signature}` }, Buffer.from(body), now)).toEqual({ ok: true });
  });

  it('refuses a missing, stale, future, re-timestamped or tampered delivery', () => {
    const signature = signWebhook(secret, now, body);
    expect(verifyWebhook(secret, { signature }, body, now)).toEqual({ ok: false, problem: 'missing' });
    expect(verifyWebhook(secret, { timestamp: 'soon', signature }, body, now)).toEqual({ ok: false, problem: 'missing' });
    expect(verifyWebhook(secret, { timestamp: String(now), signature }, body, now + 301)).toEqual({ ok: false, problem: 'stale' });
    expect(verifyWebhook(secret, { timestamp: String(now), signature }, body, now - 301)).toEqual({ ok: false, problem: 'stale' });
    expect(verifyWebhook(secret, { timestamp: String(now + 5), signature }, body, now)).toEqual({ ok: false, problem: 'bad_signature' });
    expect(verifyWebhook(secret, { timestamp: String(now), signature }, `${body} `, now)).toEqual({ ok: false, problem: 'bad_signature' });
    expect(verifyWebhook('other', { timestamp: String(now), signature }, body, now)).toEqual({ ok: false, problem: 'bad_signature' });
  });
});
