import { Controller } from '@nestjs/common';
import {
  type Actor,
  ListRunsQuery,
  ReadRunEventsRequest,
  ResumeRunRequest,
  RunContracts,
  type RunEventBatch,
  RunIdRequest,
  type RunPage,
  type RunView,
  StartRunRequest,
  type StepList,
  WaitRunRequest,
  StartRunForOwnerRequest,
  StartWorkflowRunRequest,
  GetRunForOwnerRequest,
} from '#contracts';
import { Rpc } from '#messaging';
import { RunsService } from './runs.service.js';

@Controller()
export class RunsHandler {
  constructor(private readonly runs: RunsService) {}

  @Rpc(RunContracts.start)
  start(request: StartRunRequest, actor: Actor): Promise<RunView> {
    return this.runs.start(actor, request);
  }

  @Rpc(RunContracts.startWorkflow)
  startWorkflow(request: StartWorkflowRunRequest, actor: Actor): Promise<RunView> {
    return this.runs.startWorkflow(actor, request);
  }

  @Rpc(RunContracts.get)
  get(request: RunIdRequest, actor: Actor): Promise<RunView> {
    return this.runs.get(actor, request.id);
  }

  @Rpc(RunContracts.list)
  list(request: ListRunsQuery, actor: Actor): Promise<RunPage> {
    return this.runs.list(actor, request);
  }

  @Rpc(RunContracts.steps)
  steps(request: RunIdRequest, actor: Actor): Promise<StepList> {
    return this.runs.steps(actor, request.id);
  }

  @Rpc(RunContracts.events)
  events(request: ReadRunEventsRequest, actor: Actor): Promise<RunEventBatch> {
    return this.runs.events(actor, request);
  }

  @Rpc(RunContracts.wait)
  wait(request: WaitRunRequest, actor: Actor): Promise<RunView> {
    return this.runs.wait(actor, request);
  }

  @Rpc(RunContracts.cancel)
  cancel(request: RunIdRequest, actor: Actor): Promise<RunView> {
    return this.runs.cancel(actor, request.id);
  }

  @Rpc(RunContracts.resume)
  resume(request: ResumeRunRequest, actor: Actor): Promise<RunView> {
    return this.runs.resume(actor, request);
  }

  @Rpc(RunContracts.startForOwner)
  startForOwner(request: StartRunForOwnerRequest, actor: Actor): Promise<RunView> {
    return this.runs.startForOwner(actor, request);
  }

  @Rpc(RunContracts.getForOwner)
  getForOwner(request: GetRunForOwnerRequest, actor: Actor): Promise<RunView> {
    return this.runs.getForOwner(actor, request);
  }
}
