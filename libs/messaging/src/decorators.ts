import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { type Actor, type Envelope, type EventContract, type EventEnvelope, type RpcContract, validatePayload } from '#contracts';
import type { EventContext } from './event-dispatcher.js';

type RpcMethod<Req, Res> = (data: Req, actor: Actor) => Promise<Res>;
type EventMethod<T> = (data: T, context: EventContext & { event: EventEnvelope<T> }) => Promise<void>;

/**
 * Binds a handler method to a contract: the request's `data` is validated against the contract's
 * class before the method runs, so a method receives a typed, checked instance and the actor.
 */
export function Rpc<Req extends object, Res>(contract: RpcContract<Req, Res>) {
  return <M extends RpcMethod<Req, Res>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    const method = descriptor.value;
    if (!method) throw new Error(`@Rpc(${contract.subject}) must decorate a method`);
    const wrapped = async function (this: unknown, envelope: Envelope<unknown>): Promise<Res> {
      const data = await validatePayload(contract.request, envelope.data ?? {}, 'request');
      return method.call(this, data, envelope.actor);
    };
    Object.defineProperty(wrapped, 'name', { value: method.name });
    descriptor.value = wrapped as unknown as M;
    MessagePattern(contract.subject)(target, key, descriptor as PropertyDescriptor);
  };
}

/** Binds a handler method to an event; it runs inside the inbox transaction, which its Database.transaction calls join. */
export function OnEvent<T extends object>(contract: EventContract<T>) {
  return <M extends EventMethod<T>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    const method = descriptor.value;
    if (!method) throw new Error(`@OnEvent(${contract.subject}) must decorate a method`);
    const wrapped = async function (this: unknown, event: EventEnvelope<unknown>, context: EventContext): Promise<void> {
      const data = await validatePayload(contract.payload, event.data, 'event');
      return method.call(this, data, { ...context, event: { ...event, data } });
    };
    Object.defineProperty(wrapped, 'name', { value: method.name });
    descriptor.value = wrapped as unknown as M;
    EventPattern(contract.subject)(target, key, descriptor as PropertyDescriptor);
    // Without parameter decorators Nest passes the payload alone; these make it pass the context too.
    Payload()(target, key, 0);
    Ctx()(target, key, 1);
  };
}
