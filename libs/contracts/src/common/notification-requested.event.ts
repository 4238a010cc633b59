import { IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { event, type EventContract } from '../contract.js';
import { SERVICE_NAMES, type ServiceName } from './services.js';

export const NOTIFICATION_TITLE_MAX_LENGTH = 200;
export const NOTIFICATION_BODY_MAX_LENGTH = 2000;

export class NotificationRequestedEvent {
  @IsUUID()
  userId: string;

  /** What happened, for clients to pick an icon or a filter: `run.completed`, `connection.expired`. */
  @IsString()
  @Matches(/^[a-z][a-z0-9_.-]{0,63}$/, { message: 'kind must be 1-64 lower-case letters, digits, ".", "_" or "-"' })
  kind: string;

  @IsString()
  @MinLength(1)
  @MaxLength(NOTIFICATION_TITLE_MAX_LENGTH)
  title: string;

  @IsOptional()
  @IsString()
  @MaxLength(NOTIFICATION_BODY_MAX_LENGTH)
  body?: string;

  /** Where the client should go: a path of this API's client (`/runs/…`) or an https URL. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^(\/[^\s]*|https:\/\/[^\s]+)$/, { message: 'link must be a path starting with "/" or an https URL' })
  link?: string;
}

/** Services other than identity that may ask identity to notify a user. */
export const NOTIFICATION_SOURCES = SERVICE_NAMES.filter((name): name is Exclude<ServiceName, 'identity'> => name !== 'identity');
export type NotificationSource = (typeof NOTIFICATION_SOURCES)[number];

/**
 * `events.<service>.notification.requested`: a service asks identity to store a notification for
 * a user (for example when a background run finishes). Each emitter has its own subject, so the
 * subject says who asked and NATS permissions can let a service publish only its own
 * `events.<service>.>`; identity consumes all of them through its inbox.
 */
export function notificationRequested(service: NotificationSource): EventContract<NotificationRequestedEvent> {
  return event(`events.${service}.notification.requested`, NotificationRequestedEvent);
}

export const NotificationRequested = Object.fromEntries(NOTIFICATION_SOURCES.map((service) => [service, notificationRequested(service)])) as Record<
  NotificationSource,
  EventContract<NotificationRequestedEvent>
>;
