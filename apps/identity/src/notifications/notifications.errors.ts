import { AppError } from '#contracts';

export const NotificationsErrors = {
  notFound: () => AppError.notFound('notification'),
};
