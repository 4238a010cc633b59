/** Settings of the agent service, beyond PlatformConfig. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AgentConfig {}

export function loadAgentConfig(_env: Record<string, string | undefined> = process.env): AgentConfig {
  return {};
}
