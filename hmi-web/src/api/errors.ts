/** What can go wrong talking to vehicle-service, as the screens need to tell it apart. */

/** The service answered with an error status. */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The route does not exist on this service (yet): a 404 "no route", not a missing resource. */
export class NotAvailableError extends ApiError {
  override readonly name = 'NotAvailableError';
  constructor(readonly route: string) {
    super(404, 'AURIGA_ERR_API_NOT_FOUND', `${route} is not available on this service yet`);
  }
}

/** The service could not be reached, or did not answer in time. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** The service answered 2xx with a body the HMI does not understand. */
export class BadResponseError extends Error {
  override readonly name = 'BadResponseError';
  constructor(route: string, what: string) {
    super(`unexpected answer from ${route}: ${what}`);
  }
}

export const isNotAvailable = (err: unknown): err is NotAvailableError => err instanceof NotAvailableError;
