import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import type { PayloadClass } from './contract.js';
import { AppError, ErrorCode } from './errors.js';

export interface FieldProblem {
  field: string;
  problems: string[];
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** The options every side validates with: unknown fields are refused, not dropped silently. */
export const VALIDATION_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false } as const;

/** Deepest nesting of objects and arrays any payload may have: past it, validation itself would exhaust the stack. */
export const MAX_PAYLOAD_DEPTH = 64;

/**
 * How deep a JSON value nests, counted without recursion (a hostile value may nest further than
 * the stack allows); stops counting once past `limit`.
 */
export function nestingDepth(value: unknown, limit = MAX_PAYLOAD_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Turns an untrusted plain value into an instance of the contract class, or throws
 * VALIDATION_FAILED naming each bad field. Services call it on everything they receive.
 */
export async function validatePayload<T extends object>(cls: PayloadClass<T>, value: unknown, what = 'payload'): Promise<T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, `${what} must be a JSON object`);
  }
  if (nestingDepth(value) > MAX_PAYLOAD_DEPTH) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, `${what} nests deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  }
  const instance = plainToInstance(cls, value);
  const errors = await validate(instance, VALIDATION_OPTIONS);
  if (errors.length > 0) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, `${what} is invalid`, { errors: flattenValidationErrors(errors) });
  }
  return instance;
}
