import { HttpException, NotFoundException } from '@nestjs/common';
import { AppError, ErrorCode } from '#contracts';
import { statusForCode } from './error-status.js';
import { toProblem } from './problem.js';

describe('problem details', () => {
  it('maps every error code to a distinct, sensible HTTP status', () => {
    const statuses = Object.values(ErrorCode).map(statusForCode);
    expect(new Set(statuses).size).toBe(statuses.length);
    expect(statuses.every((s) => s >= 400 && s < 600)).toBe(true);
    expect(statusForCode(ErrorCode.UPSTREAM_TIMEOUT)).toBe(504);
    expect(statusForCode(ErrorCode.UNAVAILABLE)).toBe(503);
  });

  it('keeps an AppError code, message and details, without letting details overwrite standard members', () => {
    const problem = toProblem(new AppError(ErrorCode.CONFLICT, 'taken', { field: 'email', status: 200, code: 'X' }), '/api/v1/x', 'req-1');
    expect(problem).toMatchObject({ status: 409, code: 'CONFLICT', detail: 'taken', field: 'email', instance: '/api/v1/x', requestId: 'req-1' });
  });

  it('hides unexpected errors behind a generic message', () => {
    const problem = toProblem(new Error('relation "identity.users" does not exist: SELECT * FROM identity.users'), '/api/v1/me', 'req-2');
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(JSON.stringify(problem)).not.toMatch(/SELECT|identity\.users/);
  });

  it('maps framework errors by status', () => {
    expect(toProblem(new NotFoundException(), '/nope', undefined)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(toProblem(new HttpException('big', 413), '/x', undefined)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });
});
