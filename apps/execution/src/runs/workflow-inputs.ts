import { AppError, ErrorCode, type WorkflowDefinition, type WorkflowValueType } from '#contracts';

/** Whether a JSON value is of a declared workflow type. */
export function isOfType(value: unknown, type: WorkflowValueType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'any':
      return true;
  }
}

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
    if (!isOfType(value, field.type)) errors.push({ field: `inputs.${field.name}`, problems: [`must be of type ${field.type}`] });
    inputs[field.name] = value;
  }
  if (errors.length > 0) throw new AppError(ErrorCode.VALIDATION_FAILED, 'the inputs do not match the workflow', { errors });
  return inputs;
}
