import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { type PayloadClass, validatePayload } from '#contracts';

/**
 * Validates bodies with the very function (and contract class) the receiving service uses, so the
 * gateway and the service can never disagree about what is valid.
 */
@Injectable()
export class ContractBodyPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body' || !metadata.metatype || metadata.metatype === Object) return value;
    return validatePayload(metadata.metatype as PayloadClass<object>, value ?? {}, 'request body');
  }
}
