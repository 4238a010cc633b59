import { type ArgumentMetadata, Injectable, type Paramtype, type PipeTransform } from '@nestjs/common';
import { type PayloadClass, validatePayload } from '#contracts';

/** How a refusal names the part of the request that was wrong. */
const PARTS: Partial<Record<Paramtype, string>> = { body: 'request body', query: 'query string', param: 'path' };

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
    const part = PARTS[type];
    if (part === undefined || metatype === undefined || NOT_CONTRACTS.has(metatype)) return value;
    // Fastify parses query strings and path parameters into objects without a prototype; copy them into plain ones.
    const plain = type === 'body' ? (value ?? {}) : { ...(value as Record<string, unknown> | undefined) };
    return validatePayload(metatype as PayloadClass<object>, plain, part);
  }
}
