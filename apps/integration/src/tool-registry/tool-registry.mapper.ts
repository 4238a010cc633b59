import { BUILTIN_TOOL_NAMES, BUILTIN_TOOLS, type BuiltinToolView, type HttpToolView } from '#contracts';
import type { HttpToolEntity } from './http-tool.entity.js';

export function toHttpToolView(tool: HttpToolEntity): HttpToolView {
  return {
    id: tool.id,
    kind: 'http',
    name: tool.name,
    description: tool.description,
    method: tool.method,
    urlTemplate: tool.urlTemplate,
    parameters: tool.parameters,
    auth: {
      type: tool.authType,
      headerName: tool.authHeaderName,
      headerValueSet: tool.authHeaderSealed !== null,
      connectionId: tool.authConnectionId,
    },
    idempotent: tool.idempotent,
    isActive: tool.isActive,
    createdAt: tool.createdAt.toISOString(),
    updatedAt: tool.updatedAt.toISOString(),
  };
}

export function builtinToolViews(): BuiltinToolView[] {
  return BUILTIN_TOOL_NAMES.map((name) => ({ kind: 'builtin', name, ...BUILTIN_TOOLS[name] }));
}
