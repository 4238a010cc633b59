/** Settings of the identity service (and the gateway's authentication), beyond PlatformConfig. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface IdentityConfig {}

export function loadIdentityConfig(_env: Record<string, string | undefined> = process.env): IdentityConfig {
  return {};
}
