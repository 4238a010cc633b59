import { OutboundAddressError, type OutboundPolicy } from '#outbound';

/**
 * Why a URL a user saves is refused (scheme, credentials, an internal address after DNS
 * resolution), or null. A name that does not resolve yet is accepted: it may resolve later, and
 * every call is checked again when it connects.
 */
export async function refusedAddress(policy: OutboundPolicy, url: string): Promise<string | null> {
  try {
    await policy.check(url);
    return null;
  } catch (err) {
    if (!(err instanceof OutboundAddressError)) throw err;
    return /could not be resolved/.test(err.reason) ? null : err.reason;
  }
}
