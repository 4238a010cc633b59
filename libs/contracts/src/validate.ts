import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import type { PayloadClass } from './contract.js';
import { AppError, ErrorCode } from './errors.js';
import { rememberRuleLookups } from './rule-lookup.js';
import { findTextProblem } from './text.js';

rememberRuleLookups();

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

/**
 * Turns an untrusted plain value into an instance of the contract class, or throws
 * VALIDATION_FAILED naming each bad field. Services call it on everything they receive.
 */
export async function validatePayload<T extends object>(cls: PayloadClass<T>, value: unknown, what = 'payload'): Promise<T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, `${what} must be a JSON object`);
  }
  // Before the class sees it: NULs, lone surrogates and hostile nesting never reach a service, a
  // recursive walker or the database, and the field is named without echoing the value.
  const text = findTextProblem(value);
  if (text) throw AppError.invalidField(text.field, `${text.field} ${text.problem}`);
  const instance = plainToInstance(cls, value);
  const errors = await validate(instance, VALIDATION_OPTIONS);
  if (errors.length > 0) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, `${what} is invalid`, { errors: flattenValidationErrors(errors) });
  }
  return instance;
}
