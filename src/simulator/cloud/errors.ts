/** Qlik Cloud JSON:API error bodies (doc QAPI): {errors:[{code,title,detail,status}], traceId}. */
import type { Errors } from '@qlik/api/identity-providers';
import { HttpError } from '../http/types';

let traceCounter = 0;

export function cloudErrorBody(status: number, code: string, title: string, detail?: string): Errors & { traceId: string } {
  traceCounter = (traceCounter + 1) % 0xffffff;
  return {
    errors: [{ code, title, status, ...(detail ? { detail } : {}) }],
    traceId: `000000000000000000000000${traceCounter.toString(16)}`.slice(-32),
  };
}

export function cloudError(status: number, code: string, title: string, detail?: string, headers?: Record<string, string>): HttpError {
  return new HttpError(status, cloudErrorBody(status, code, title, detail), headers);
}

export const notFound = (what: string): HttpError => cloudError(404, 'HTTP-404', 'Not Found', `${what} was not found`);
export const badRequest = (detail: string): HttpError => cloudError(400, 'HTTP-400', 'Bad Request', detail);
