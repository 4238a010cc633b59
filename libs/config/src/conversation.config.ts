/** Settings of the conversation service, beyond PlatformConfig. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ConversationConfig {}

export function loadConversationConfig(_env: Record<string, string | undefined> = process.env): ConversationConfig {
  return {};
}
