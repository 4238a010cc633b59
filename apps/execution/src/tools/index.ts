export { ToolInputError, toOpenAiTool, type OpenAiTool, type Tool, type ToolContext, type ToolDefinition } from './tool.js';
export { validateArgs } from './validate-args.js';
export { CalculatorTool, evaluateExpression, MAX_EXPRESSION_LENGTH } from './calculator.tool.js';
export { CurrentTimeTool } from './current-time.tool.js';
export { HostAllowlist, HttpGetTool, HTTP_GET_DEFAULT_MAX_BYTES, HTTP_GET_DEFAULT_TIMEOUT_MS, type HttpGetToolOptions } from './http-get.tool.js';
export { ClientTool } from './client-tool.js';
export {
  ToolRegistry,
  type AgentToolSet,
  type ToolRef,
  type ToolRefKind,
  type ToolRegistryOptions,
  type UnavailableTool,
} from './tool-registry.js';
