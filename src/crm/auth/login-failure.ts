import { LeaddError } from "../../errors.js";
import { networkFailure } from "../http.js";

/**
 * Returns the error for a network failure on the SuperOffice login service. Its message also names the config
 * key that sets the service's address, because it is not the site URL that failed.
 */
export function loginServiceFailure(error: unknown, method: string, url: string, timeoutMs: number): LeaddError {
  const failure = networkFailure(error, method, url, timeoutMs);
  return new LeaddError(
    failure.code,
    `${failure.message} The login service address is superoffice.loginUrl, or the origin of superoffice.url when loginUrl is not set.`,
    { cause: failure.cause, details: failure.details },
  );
}
