import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { type PayloadClass, validatePayload } from '#contracts';

/** Query strings get the same contract validation as bodies: unknown or repeated parameters are refused. */
@Injectable()
export class ContractQueryPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'query' || !metadata.metatype || metadata.metatype === Object) return value;
    return validatePayload(metadata.metatype as PayloadClass<object>, { ...(value as object | undefined) }, 'query string');
  }
}
