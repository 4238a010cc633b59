import { expect } from '@jest/globals';
import type { ApiResponse } from '#testing';

/** What every refused request must look like: RFC 9457 problem+json with our code, and no internals. */
export function expectProblem(res: Pick<ApiResponse, 'status' | 'headers' | 'body' | 'text'>, status: number, code: string): void {
  expect({ status: res.status, code: (res.body as { code?: string } | undefined)?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  expect(res.text).not.toMatch(/\n\s+at |SELECT |INSERT |UPDATE |node_modules/);
}

/** The fields a 400 names, in order. */
export function fieldsOf(res: Pick<ApiResponse, 'body'>): string[] {
  return (((res.body as { errors?: Array<{ field: string }> }).errors ?? []) as Array<{ field: string }>).map((e) => e.field);
}

/** A 400 VALIDATION_FAILED naming exactly this one field. */
export function expectBadField(res: Pick<ApiResponse, 'status' | 'headers' | 'body' | 'text'>, field: string): void {
  expectProblem(res, 400, 'VALIDATION_FAILED');
  expect(fieldsOf(res)).toEqual([field]);
}
