import { Controller } from '@nestjs/common';
import { AccessContracts, type Actor, type VerifiedCredential, VerifyCredentialRequest } from '#contracts';
import { Rpc } from '#messaging';
import { CredentialsService } from './credentials.service.js';

@Controller()
export class CredentialsHandler {
  constructor(private readonly credentials: CredentialsService) {}

  @Rpc(AccessContracts.verifyCredential)
  verify(request: VerifyCredentialRequest, actor: Actor): Promise<VerifiedCredential> {
    return this.credentials.verify(request, actor);
  }
}
