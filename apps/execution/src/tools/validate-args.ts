import { ToolInputError, type ToolDefinition } from './tool.js';

export const PRIMITIVE_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const;
export type PrimitiveType = (typeof PRIMITIVE_TYPES)[number];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a JSON value is of a JSON Schema primitive type (tool arguments, workflow inputs, human forms). */
export function isOfJsonType(value: unknown, type: PrimitiveType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isRecord(value);
    case 'array':
      return Array.isArray(value);
    case 'null':
      return value === null;
  }
}

/** The declared types of a property schema we understand; unknown keywords are ignored (this is a first line of defence, not a full JSON Schema validator). */
function declaredTypes(schema: unknown): PrimitiveType[] {
  if (!isRecord(schema)) return [];
  const raw = Array.isArray(schema.type) ? (schema.type as unknown[]) : [schema.type];
  return raw.filter((t): t is PrimitiveType => PRIMITIVE_TYPES.includes(t as PrimitiveType));
}

/**
 * Minimal check of model-supplied arguments against a tool's JSON Schema: required properties present,
 * top-level property types right and, when the schema says so, no unknown properties.
 * Throws ToolInputError listing every problem so the model can fix them in one retry.
 */
export function validateArgs(tool: Pick<ToolDefinition, 'name' | 'parameters'>, args: unknown): Record<string, unknown> {
  if (!isRecord(args)) throw new ToolInputError(`${tool.name}: arguments must be a JSON object`);
  const schema = tool.parameters;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
  const problems: string[] = [];

  for (const name of required) {
    if (args[name] === undefined) problems.push(`missing required property "${name}"`);
  }
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined) continue;
    if (!(name in properties)) {
      if (schema.additionalProperties === false) problems.push(`unknown property "${name}"`);
      continue;
    }
    const types = declaredTypes(properties[name]);
    if (types.length > 0 && !types.some((t) => isOfJsonType(value, t))) {
      problems.push(`property "${name}" must be ${types.join(' or ')}`);
    }
  }
  if (problems.length > 0) throw new ToolInputError(`${tool.name}: invalid arguments: ${problems.join('; ')}`);
  return args;
}
