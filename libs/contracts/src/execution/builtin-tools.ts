/** The names of the tools the execution service has built in (its ToolsService asserts it offers exactly these). */
export const BUILTIN_TOOL_NAMES = ['current_time', 'calculator', 'http_get'] as const;
export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];
