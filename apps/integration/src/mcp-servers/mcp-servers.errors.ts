import { AppError, ErrorCode } from '#contracts';

export const McpServersErrors = {
  /** Also what another user's private server answers: no existence leak. */
  notFound: () => AppError.notFound('MCP server'),
  required: (field: string, why: string) => AppError.invalidField(field, `${field} is required ${why}`),
  notAllowed: (field: string, why: string) => AppError.invalidField(field, why),
  commandNotAllowed: (command: string) =>
    AppError.invalidField('command', `the command "${command}" is not one the operator allows for stdio servers (INTEGRATION_STDIO_COMMANDS)`),
  badUrl: (reason: string) => AppError.invalidField('url', reason),
  onlySuperusersShare: () => new AppError(ErrorCode.FORBIDDEN, 'only superusers can share an MCP server with every user'),
  notYours: () => new AppError(ErrorCode.FORBIDDEN, 'this shared MCP server belongs to an admin; you can only fill in your credentials'),
  unknownSlots: (names: string[]) => AppError.invalidField('values', `the server has no credential slots named ${names.join(', ')}`),
  refusedEnv: (name: string) => AppError.invalidField('env', `the environment variable ${name} cannot be set for a server`),
  /** Also what another user's connection answers. */
  connectionNotFound: () => new AppError(ErrorCode.NOT_FOUND, 'connection not found', { field: 'connectionId' }),
  /** The server needs an OAuth connection the user has not made, or whose grant the provider revoked. */
  needsAuth: (provider: string, revoked: boolean) =>
    new AppError(
      ErrorCode.CONFLICT,
      revoked
        ? `the ${provider} connection this MCP server uses was revoked; authorize it again (POST /integrations/${provider}/authorize)`
        : `this MCP server needs a ${provider} connection; connect one first (POST /integrations/${provider}/authorize)`,
      { status: 'needs_auth', provider },
    ),
};

export function isNeedsAuth(err: unknown): err is AppError {
  return err instanceof AppError && err.details?.status === 'needs_auth';
}
