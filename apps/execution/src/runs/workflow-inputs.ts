import { AppError, ErrorCode, type WorkflowDefinition } from '#contracts';
import { isOfJsonType } from '../tools/tools.service.js';

/**
 * A run's inputs checked against the workflow's declared inputs, defaults filled in: every problem
 * at once, each naming `inputs.<name>` (a missing required one, a wrong type, an undeclared name).
 */
export function workflowInputs(definition: WorkflowDefinition, given: Record<string, unknown> | undefined): Record<string, unknown> {
  const supplied = given ?? {};
  const declared = new Map(definition.inputs.map((f) => [f.name, f]));
  const errors: Array<{ field: string; problems: string[] }> = [];
  const inputs: Record<string, unknown> = {};
  for (const name of Object.keys(supplied)) if (!declared.has(name)) errors.push({ field: `inputs.${name}`, problems: ['is not an input of this workflow'] });
  for (const field of definition.inputs) {
    const value = supplied[field.name] ?? field.default;
    if (value === undefined || value === null) {
      if (field.required) errors.push({ field: `inputs.${field.name}`, problems: ['is required'] });
      else inputs[field.name] = null;
      continue;
    }
    if (field.type !== 'any' && !isOfJsonType(value, field.type)) errors.push({ field: `inputs.${field.name}`, problems: [`must be of type ${field.type}`] });
    inputs[field.name] = value;
  }
  if (errors.length > 0) throw new AppError(ErrorCode.VALIDATION_FAILED, 'the inputs do not match the workflow', { errors });
  return inputs;
}
