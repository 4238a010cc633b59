import { Controller } from '@nestjs/common';
import {
  type Actor,
  CreateScheduleRequest,
  type Empty,
  ListSchedulesQuery,
  ScheduleContracts,
  ScheduleIdRequest,
  type ScheduleList,
  type ScheduleView,
  UpdateScheduleRequest,
} from '#contracts';
import { Rpc } from '#messaging';
import { SchedulesService } from './schedules.service.js';

@Controller()
export class SchedulesHandler {
  constructor(private readonly schedules: SchedulesService) {}

  @Rpc(ScheduleContracts.create)
  create(request: CreateScheduleRequest, actor: Actor): Promise<ScheduleView> {
    return this.schedules.create(actor, request);
  }

  @Rpc(ScheduleContracts.list)
  list(request: ListSchedulesQuery, actor: Actor): Promise<ScheduleList> {
    return this.schedules.list(actor, request);
  }

  @Rpc(ScheduleContracts.get)
  get(request: ScheduleIdRequest, actor: Actor): Promise<ScheduleView> {
    return this.schedules.get(actor, request.id);
  }

  @Rpc(ScheduleContracts.update)
  update(request: UpdateScheduleRequest, actor: Actor): Promise<ScheduleView> {
    return this.schedules.update(actor, request);
  }

  @Rpc(ScheduleContracts.delete)
  async delete(request: ScheduleIdRequest, actor: Actor): Promise<Empty> {
    await this.schedules.delete(actor, request.id);
    return {};
  }
}
