import { Controller } from '@nestjs/common';
import {
  type Actor,
  CreateWorkflowRequest,
  type Empty,
  ExportWorkflowRequest,
  ImportWorkflowRequest,
  ListWorkflowsQuery,
  type ResolvedWorkflow,
  ResolveWorkflowRequest,
  UpdateWorkflowRequest,
  ValidateWorkflowRequest,
  WorkflowContracts,
  type WorkflowDiff,
  WorkflowDiffRequest,
  type WorkflowExport,
  WorkflowIdRequest,
  type WorkflowList,
  WorkflowResolveContracts,
  type WorkflowValidationReply,
  type WorkflowVersionList,
  WorkflowVersionRequest,
  type WorkflowVersionView,
  type WorkflowView,
} from '#contracts';
import { Rpc } from '#messaging';
import { WorkflowsService } from './workflows.service.js';

@Controller()
export class WorkflowsHandler {
  constructor(private readonly workflows: WorkflowsService) {}

  @Rpc(WorkflowContracts.create)
  create(request: CreateWorkflowRequest, actor: Actor): Promise<WorkflowView> {
    return this.workflows.create(actor, request);
  }

  @Rpc(WorkflowContracts.list)
  list(request: ListWorkflowsQuery, actor: Actor): Promise<WorkflowList> {
    return this.workflows.list(actor, request);
  }

  @Rpc(WorkflowContracts.get)
  get(request: WorkflowIdRequest, actor: Actor): Promise<WorkflowView> {
    return this.workflows.get(actor, request.id);
  }

  @Rpc(WorkflowContracts.update)
  update(request: UpdateWorkflowRequest, actor: Actor): Promise<WorkflowView> {
    return this.workflows.update(actor, request);
  }

  @Rpc(WorkflowContracts.delete)
  async delete(request: WorkflowIdRequest, actor: Actor): Promise<Empty> {
    await this.workflows.delete(actor, request.id);
    return {};
  }

  @Rpc(WorkflowContracts.validate)
  validate(request: ValidateWorkflowRequest, actor: Actor): Promise<WorkflowValidationReply> {
    return this.workflows.validate(actor, request.definition);
  }

  @Rpc(WorkflowContracts.listVersions)
  listVersions(request: WorkflowIdRequest, actor: Actor): Promise<WorkflowVersionList> {
    return this.workflows.listVersions(actor, request.id);
  }

  @Rpc(WorkflowContracts.getVersion)
  getVersion(request: WorkflowVersionRequest, actor: Actor): Promise<WorkflowVersionView> {
    return this.workflows.getVersion(actor, request);
  }

  @Rpc(WorkflowContracts.restoreVersion)
  restoreVersion(request: WorkflowVersionRequest, actor: Actor): Promise<WorkflowView> {
    return this.workflows.restoreVersion(actor, request);
  }

  @Rpc(WorkflowContracts.diff)
  diff(request: WorkflowDiffRequest, actor: Actor): Promise<WorkflowDiff> {
    return this.workflows.diff(actor, request);
  }

  @Rpc(WorkflowContracts.export)
  export(request: ExportWorkflowRequest, actor: Actor): Promise<WorkflowExport> {
    return this.workflows.export(actor, request);
  }

  @Rpc(WorkflowContracts.import)
  import(request: ImportWorkflowRequest, actor: Actor): Promise<WorkflowView> {
    return this.workflows.import(actor, request);
  }

  @Rpc(WorkflowResolveContracts.resolve)
  resolve(request: ResolveWorkflowRequest, actor: Actor): Promise<ResolvedWorkflow> {
    return this.workflows.resolve(actor, request);
  }
}
