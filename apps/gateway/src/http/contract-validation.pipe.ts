import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { type PayloadClass, validatePayload } from '#contracts';

type RequestPart = 'body' | 'query' | 'param';

/** How a refusal names the part of the request that was wrong. */
const PART_NAMES: Record<RequestPart, string> = { body: 'request body', query: 'query string', param: 'path' };

/** Declared types that are not contract classes: a named value (`@Param('id') id: string`) or an untyped one. */
const NOT_CONTRACTS = new Set<unknown>([Object, String, Number, Boolean, Array]);

/**
 * The one way the gateway validates input: every whole `@Body()`, `@Query()` and `@Param()`
 * argument is checked against its declared contract class, with the very function (and class) the
 * receiving service uses, so the two can never disagree about what is valid:
 * `@Param() params: AgentIdRequest`, `@Query() query: ListAgentsQuery`, `@Body() body: CreateAgentRequest`.
 * Path and query values arrive as strings; the class converts the numeric ones (class-transformer
 * @Type) before checking them. Unknown or repeated query parameters are refused like unknown fields.
 */
@Injectable()
export class ContractValidationPipe implements PipeTransform {
  async transform(value: unknown, { type, metatype }: ArgumentMetadata): Promise<unknown> {
    if (type === 'custom' || metatype === undefined || NOT_CONTRACTS.has(metatype)) return value;
    return validateRequestPart(metatype as PayloadClass<object>, value, type);
  }
}

/**
 * What the pipe does to one part of a request, for the rare handler whose contract class depends
 * on another part (the body of POST /conversations/:id/messages depends on ?run=).
 */
export function validateRequestPart<T extends object>(contract: PayloadClass<T>, value: unknown, part: RequestPart): Promise<T> {
  // Fastify parses query strings and path parameters into objects without a prototype; copy them into plain ones.
  const plain = part === 'body' ? (value ?? {}) : { ...(value as Record<string, unknown> | undefined) };
  return validatePayload(contract, plain, PART_NAMES[part]);
}
