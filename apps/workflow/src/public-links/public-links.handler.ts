import { Controller } from '@nestjs/common';
import {
  type Actor,
  type Empty,
  PublicLinkContracts,
  PublicLinkIdRequest,
  type PublicLinkList,
  PublicRunRequest,
  type PublicRunView,
  PublicTokenRequest,
  type PublicWorkflowForm,
  type PublishedWorkflowView,
  PublishWorkflowRequest,
  StartPublicRunRequest,
  WorkflowIdRequest,
} from '#contracts';
import { Rpc } from '#messaging';
import { PublicLinksService } from './public-links.service.js';

@Controller()
export class PublicLinksHandler {
  constructor(private readonly links: PublicLinksService) {}

  @Rpc(PublicLinkContracts.publish)
  publish(request: PublishWorkflowRequest, actor: Actor): Promise<PublishedWorkflowView> {
    return this.links.publish(actor, request);
  }

  @Rpc(PublicLinkContracts.list)
  list(request: WorkflowIdRequest, actor: Actor): Promise<PublicLinkList> {
    return this.links.list(actor, request.id);
  }

  @Rpc(PublicLinkContracts.revoke)
  async revoke(request: PublicLinkIdRequest, actor: Actor): Promise<Empty> {
    await this.links.revoke(actor, request);
    return {};
  }

  @Rpc(PublicLinkContracts.form)
  form(request: PublicTokenRequest): Promise<PublicWorkflowForm> {
    return this.links.form(request.token);
  }

  @Rpc(PublicLinkContracts.startRun)
  startRun(request: StartPublicRunRequest, actor: Actor): Promise<PublicRunView> {
    return this.links.startRun(actor, request);
  }

  @Rpc(PublicLinkContracts.getRun)
  getRun(request: PublicRunRequest): Promise<PublicRunView> {
    return this.links.getRun(request);
  }
}
