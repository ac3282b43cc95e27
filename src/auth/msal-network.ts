import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";

import { describeCause } from "./token-endpoint.js";

/**
 * msal-node network module with a timeout on every request. msal-node's own client sets no
 * timeout on token POSTs, so a token endpoint that stops answering would stall the cycle.
 * The last transport failure is kept because msal-node replaces it with a generic
 * `network_error`; the provider puts it back into its own error message.
 */
export class TimedNetworkClient implements INetworkModule {
  lastFailure: { url: string; reason: string; error: unknown } | null = null;

  constructor(private readonly timeoutMs: number) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>(url, "GET", options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>(url, "POST", options);
  }

  private async send<T>(url: string, method: "GET" | "POST", options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    const timeoutMs = Math.min(timeout ?? this.timeoutMs, this.timeoutMs);
    this.lastFailure = null;

    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: options?.headers,
        body: method === "POST" ? options?.body : undefined,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: "error",
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      const reason = timedOut ? `timed out after ${timeoutMs / 1000} s` : `failed: ${describeCause(error)}`;
      this.lastFailure = { url, reason, error };
      throw error;
    }

    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      const reason = `answered HTTP ${response.status} with a body that is not JSON`;
      this.lastFailure = { url, reason, error };
      throw new Error(`${url} ${reason}`);
    }

    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { headers, body: body as T, status: response.status };
  }
}
