/** Settings of the execution service, beyond PlatformConfig. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ExecutionConfig {}

export function loadExecutionConfig(_env: Record<string, string | undefined> = process.env): ExecutionConfig {
  return {};
}
