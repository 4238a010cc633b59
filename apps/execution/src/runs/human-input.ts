import { isOfJsonType, PRIMITIVE_TYPES, type PrimitiveType } from '../tools/tools.service.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What one field's value breaks of its schema: type, enum, string length, number range. */
function fieldProblems(schema: Record<string, unknown>, value: unknown): string[] {
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t): t is PrimitiveType => PRIMITIVE_TYPES.includes(t as PrimitiveType));
  if (types.length > 0 && !types.some((t) => isOfJsonType(value, t))) return [`must be ${types.join(' or ')}`];
  const problems: string[] = [];
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    problems.push(`must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) problems.push(`must be at least ${schema.minLength} characters`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) problems.push(`must be at most ${schema.maxLength} characters`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`must be at least ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`must be at most ${schema.maximum}`);
  }
  return problems;
}

/**
 * A person's answer to a human node's form, checked against its object schema: required fields,
 * each field's type, enum, length and range, and no undeclared field when the schema says
 * `additionalProperties: false`. Every problem at once, each naming `input.<field>`.
 */
export function formProblems(schema: Record<string, unknown>, answer: Record<string, unknown>): Array<{ field: string; problems: string[] }> {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
  const errors: Array<{ field: string; problems: string[] }> = [];
  for (const name of required) if (answer[name] === undefined) errors.push({ field: `input.${name}`, problems: ['is required'] });
  for (const [name, value] of Object.entries(answer)) {
    const property = properties[name];
    if (!isRecord(property)) {
      if (schema.additionalProperties === false) errors.push({ field: `input.${name}`, problems: ['is not a field of the form'] });
      continue;
    }
    const problems = fieldProblems(property, value);
    if (problems.length > 0) errors.push({ field: `input.${name}`, problems });
  }
  return errors;
}
