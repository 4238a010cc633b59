import { Injectable, type PipeTransform } from '@nestjs/common';
import { type PayloadClass, validatePayload } from '#contracts';

/**
 * Validates path parameters or a query string with a contract class, as ContractBodyPipe does for
 * bodies: `@Query(new ContractParamsPipe(ListAgentsQuery, 'query string'))`. Values arrive as
 * strings; the class converts the numeric ones (class-transformer @Type) before checking them.
 */
@Injectable()
export class ContractParamsPipe<T extends object> implements PipeTransform {
  constructor(
    private readonly contract: PayloadClass<T>,
    private readonly what: 'path' | 'query string',
  ) {}

  transform(value: unknown): Promise<T> {
    // Fastify parses query strings into objects without a prototype; copy into a plain object.
    return validatePayload(this.contract, { ...(value as Record<string, unknown> | undefined) }, this.what);
  }
}
