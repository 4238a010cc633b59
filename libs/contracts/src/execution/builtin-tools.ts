/** The names of the tools the execution service has built in (its ToolsService asserts it offers exactly these). */
export const BUILTIN_TOOL_NAMES = ['current_time', 'calculator', 'http_get'] as const;
export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];

/** Why `name` is no built-in tool, in the same words wherever a reference is checked; undefined when it is one. */
export function unknownBuiltinTool(name: string): string | undefined {
  return (BUILTIN_TOOL_NAMES as readonly string[]).includes(name) ? undefined : `there is no built-in tool named "${name}" (see GET /tools)`;
}

export interface BuiltinToolDefinition {
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  /** Safe to send again when a crash leaves it unclear whether a call ran. */
  idempotent: boolean;
}

/**
 * What each built-in tells the model, written once: the execution service's tools use these, and
 * the integration service's tool registry lists them.
 */
export const BUILTIN_TOOLS: Readonly<Record<BuiltinToolName, BuiltinToolDefinition>> = {
  current_time: {
    description: 'Returns the current date and time: UTC ISO timestamp, the local date-time in the given IANA time zone, and Unix seconds.',
    parameters: {
      type: 'object',
      properties: {
        timezone: { type: 'string', description: 'IANA time zone name such as "Europe/Paris" or "America/New_York". Defaults to UTC.' },
      },
      additionalProperties: false,
    },
    idempotent: true,
  },
  calculator: {
    description:
      'Evaluates an arithmetic expression and returns the number. Supports + - * / % ^ (power), parentheses, unary minus, ' +
      'constants pi and e, and functions sqrt abs min max round floor ceil sin cos tan (radians) log (base 10) ln exp.',
    parameters: {
      type: 'object',
      properties: {
        expression: { type: 'string', maxLength: 500, description: 'For example "2 * (3 + 4) ^ 2 / sqrt(16)".' },
      },
      required: ['expression'],
      additionalProperties: false,
    },
    idempotent: true,
  },
  http_get: {
    description:
      'Fetches a URL with HTTP GET and returns the status line and the text body (truncated if large). Only hosts allowed by the operator can be reached.',
    parameters: {
      type: 'object',
      properties: { url: { type: 'string', description: 'Absolute http:// or https:// URL.' } },
      required: ['url'],
      additionalProperties: false,
    },
    idempotent: true,
  },
};
