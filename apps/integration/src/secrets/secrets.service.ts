import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '#contracts';
import { associatedData, decodeSealed, encodeSealed, Keyring } from '#crypto';

/**
 * Credentials at rest (headers, environment values, OAuth tokens): AES-256-GCM under
 * ENCRYPTION_KEYS, with the owner, the row and the field bound in as associated data, so a value
 * copied to another row or field does not open. Values go in and come out here only; replies say
 * only that a value is set.
 */
@Injectable()
export class SecretsService {
  private readonly keyring = Keyring.parse(process.env.ENCRYPTION_KEYS, 'ENCRYPTION_KEYS') ?? null;

  seal(value: string, ...binding: string[]): string {
    if (!this.keyring) throw new AppError(ErrorCode.UNAVAILABLE, 'storing credentials needs ENCRYPTION_KEYS to be set on the integration service');
    return encodeSealed(this.keyring.seal(value, associatedData('integration', ...binding)));
  }

  open(text: string, ...binding: string[]): string {
    if (!this.keyring) throw new AppError(ErrorCode.UNAVAILABLE, 'reading credentials needs ENCRYPTION_KEYS to be set on the integration service');
    return this.keyring.open(decodeSealed(text), associatedData('integration', ...binding));
  }

  sealJson(value: Record<string, string>, ...binding: string[]): string {
    return this.seal(JSON.stringify(value), ...binding);
  }

  openJson(text: string | null, ...binding: string[]): Record<string, string> {
    return text === null ? {} : (JSON.parse(this.open(text, ...binding)) as Record<string, string>);
  }
}
