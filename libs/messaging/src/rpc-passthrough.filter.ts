import { type ArgumentsHost, Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC handler turns any error that is not an RpcException into a bare
 * "Internal server error" object. The bus server maps errors itself (AppError codes, database
 * outages), so it needs the original error.
 */
@Catch()
export class RpcPassthroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
