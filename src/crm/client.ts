import { performance } from "node:perf_hooks";
import type { AxiosInstance, AxiosResponse } from "axios";
import type { Logger } from "pino";
import { LeaddError, isLeaddError } from "../errors.js";
import type { LeadRequest } from "../types.js";
import { createAuthProvider, type AuthProvider } from "./auth/index.js";
import { parseSiteUrl, serviceBaseFor, stateUrlFor, type SiteLocation } from "./base-url.js";
import { CircuitBreaker } from "./circuit-breaker.js";
import { crmError, failureDetails, headerValue, networkFailure, statusFailure } from "./http.js";
import { createHttp } from "./http.js";
import type { SuperOfficeOptions } from "./options.js";
import { createdRelativeToCall, leadTarget, parseCarrierDate, readSalesActivity } from "./response.js";
import { runWithRetry } from "./retry.js";
import type { SalesActivity } from "./sales-activity.js";
import { lookupTenant } from "./tenant.js";

export type { SalesActivity, ContactCarrier, PersonCarrier } from "./sales-activity.js";
export type { SuperOfficeOptions } from "./options.js";

const GENERATE_LEAD_PATH = "/v1/Agents/Appointment/GenerateLead";
/**
 * How long a contact this client created is remembered, so a second lead for the same new
 * company within the same run is reported as matched although its CreatedDate is recent.
 */
const RECENTLY_CREATED_MS = 24 * 60 * 60 * 1000;
/** Read-only call for `check`: returns the signed-in user without touching any data. */
const CURRENT_PRINCIPAL_PATH = "/v1/User/currentPrincipal";

export interface GenerateLeadResult {
  outcome: "created" | "matched" | "ambiguous";
  response: SalesActivity;
  /** The contact that got the lead, or null when ambiguous. */
  contactId: number | null;
  /** CreatedDate of that contact as SuperOffice returned it, or null when it could not be read. */
  contactCreatedDate: string | null;
}

export interface SuperOfficeClientDeps {
  /** Clock for token lifetimes and signatures, in epoch milliseconds. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1). */
  random?: () => number;
  /** Called before each retry, for the retries metric. */
  onRetry?: () => void;
}

interface CallOptions {
  /** true = the call changes data, so an unknown result is not resent unless retryUnknownSends is set. */
  changesData: boolean;
  body?: unknown;
}

/**
 * Client of the SuperOffice Web API for leadd: GenerateLead with retries, authentication,
 * tenant moves (421) and a per-cycle circuit breaker. Every failure is a LeaddError with code
 * CRM_AUTH_FAILED, CRM_REJECTED, CRM_UNAVAILABLE or CRM_BAD_RESPONSE.
 */
export class SuperOfficeClient {
  private site: SiteLocation;
  private readonly stateUrl: string | null;
  private readonly lookUpTenantFirst: boolean;
  private tenantLookedUp = false;
  /** Contacts this client saw GenerateLead create, with the time it did. */
  private readonly createdContacts = new Map<number, number>();
  private readonly http: AxiosInstance;
  private readonly auth: AuthProvider;
  private readonly breaker: CircuitBreaker;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly onRetry: (() => void) | undefined;

  constructor(
    private readonly options: SuperOfficeOptions,
    log: Logger,
    deps: SuperOfficeClientDeps = {},
  ) {
    this.log = log.child({ component: "crm" });
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = deps.random ?? Math.random;
    this.onRetry = deps.onRetry;

    this.site = parseSiteUrl(options.url);
    this.stateUrl = stateUrlFor(this.site, options.stateUrl);
    this.lookUpTenantFirst = this.site.onlineEnvironment !== null || Boolean(options.stateUrl);
    this.http = createHttp(options);
    this.breaker = new CircuitBreaker(options.circuitBreaker.failures);
    const loginBase = serviceBaseFor(this.site.siteUrl, options.loginUrl);
    this.auth = createAuthProvider(options, this.site, loginBase, this.http, { now: this.now }, this.log);
    if (options.tlsRejectUnauthorized === false) {
      this.log.warn({ url: this.site.siteUrl }, "TLS certificate checks are off for SuperOffice (superoffice.tlsRejectUnauthorized: false)");
    }
  }

  /** REST base currently in use; it changes when the tenant moves. */
  get apiBase(): string {
    return this.site.apiBase;
  }

  /** When the current ticket or access token runs out, or null when unknown (fixed credentials). */
  authExpiresAt(): Date | null {
    return this.auth.expiresAt();
  }

  /** Closes the circuit breaker at the start of a poll cycle. */
  startCycle(): void {
    this.breaker.reset();
  }

  /** Signs in and makes one read-only call; throws a CRM_* LeaddError naming what to fix. */
  async check(): Promise<void> {
    const response = await this.call("GET", CURRENT_PRINCIPAL_PATH, { changesData: false });
    const principal = response.data as { Associate?: unknown; AssociateId?: unknown } | null;
    if (principal === null || typeof principal !== "object") {
      throw crmError("CRM_BAD_RESPONSE", `SuperOffice returned an empty body for GET ${this.site.apiBase}${CURRENT_PRINCIPAL_PATH}.`, {
        retryable: false,
        sendUnknown: false,
      });
    }
    this.log.info(
      { url: this.site.apiBase, auth: this.auth.type, associate: principal.Associate, associateId: principal.AssociateId },
      "SuperOffice sign-in works",
    );
  }

  /** Sends one GenerateLead request and works out whether it created, matched or could not choose. */
  async generateLead(request: LeadRequest): Promise<GenerateLeadResult> {
    if (this.breaker.isOpen) {
      throw new LeaddError(
        "CRM_UNAVAILABLE",
        `SuperOffice calls are paused for this cycle after ${this.breaker.failures} failures in a row at ${this.site.apiBase}. They resume in the next cycle.`,
        { details: { circuitOpen: true, retryable: false, sendUnknown: false } },
      );
    }

    try {
      const result = await this.generateLeadNow(request);
      this.breaker.recordSuccess();
      return result;
    } catch (error) {
      if (isLeaddError(error, "CRM_REJECTED")) {
        // The server responded, so it is up. A rejected lead is no sign of an outage.
        this.breaker.recordSuccess();
      } else {
        this.breaker.recordFailure();
        if (this.breaker.isOpen) {
          this.log.error(
            { url: this.site.apiBase, failures: this.breaker.failures },
            "SuperOffice failed too often in a row, pausing CRM calls until the next cycle",
          );
        }
      }
      throw error;
    }
  }

  private async generateLeadNow(request: LeadRequest): Promise<GenerateLeadResult> {
    const started = performance.now();
    const response = await this.call("POST", GENERATE_LEAD_PATH, { changesData: true, body: request });
    const elapsedMs = performance.now() - started;
    const activity = readSalesActivity(response.data, `${this.site.apiBase}${GENERATE_LEAD_PATH}`);
    const target = leadTarget(activity);

    if (target.kind === "ambiguous") {
      this.log.info({ contacts: activity.RequestedContacts.map((contact) => contact.ContactId) }, "GenerateLead matched several contacts");
      return { outcome: "ambiguous", response: activity, contactId: null, contactCreatedDate: null };
    }
    if (target.kind === "none") {
      throw crmError(
        "CRM_REJECTED",
        `GenerateLead at ${this.site.apiBase} returned no contact and no person, so SuperOffice made no lead. The request had too little data, such as no company and no person name.`,
        { retryable: false, sendUnknown: false },
      );
    }

    const createdDate = await this.readContactCreatedDate(target.contactId);
    const outcome = this.createdOrMatched(target.contactId, createdDate, headerValue(response, "date"), elapsedMs);
    this.log.info(
      { outcome, contactId: target.contactId, personId: activity.RequestedPerson?.PersonId ?? null, elapsedMs: Math.round(elapsedMs) },
      "GenerateLead done",
    );
    return { outcome, response: activity, contactId: target.contactId, contactCreatedDate: createdDate };
  }

  /**
   * Decides created or matched from the contact's CreatedDate and the call's time window on the
   * server's clock: the response Date header minus the call's duration. Without a Date header
   * the local clock is used, and clock skew between the hosts then shifts the window.
   */
  private createdOrMatched(contactId: number, createdDate: string | null, dateHeader: string | undefined, elapsedMs: number): "created" | "matched" {
    const nowMs = this.now();
    for (const [id, at] of this.createdContacts) {
      if (nowMs - at > RECENTLY_CREATED_MS) {
        this.createdContacts.delete(id);
      }
    }
    if (this.createdContacts.has(contactId)) {
      return "matched";
    }

    const createdMs = parseCarrierDate(createdDate);
    if (createdMs === null) {
      return "matched";
    }
    const serverDate = Date.parse(dateHeader ?? "");
    const endMs = Number.isNaN(serverDate) ? nowMs : serverDate;
    // NOTE: a contact another user or integration made for the same company within the tolerance
    // of this call's window also counts as created here.
    const position = createdRelativeToCall(createdMs, { startMs: endMs - elapsedMs, endMs });
    if (position === "after") {
      this.log.warn(
        { contactId, createdDate, serverDate: dateHeader ?? null },
        "Contact CreatedDate is later than the server's clock, reporting the lead as matched. Check the SuperOffice time zone",
      );
    }
    if (position !== "during") {
      return "matched";
    }
    this.createdContacts.set(contactId, nowMs);
    return "created";
  }

  /**
   * Reads the contact's CreatedDate, the only documented way to tell a contact GenerateLead
   * made from one it found, because the response carriers have no creation date. A failure
   * here is logged and counted as "matched", because the lead itself is already made.
   */
  private async readContactCreatedDate(contactId: number): Promise<string | null> {
    try {
      const response = await this.call("GET", `/v1/Contact/${contactId}`, { changesData: false });
      const created = (response.data as { CreatedDate?: unknown } | null)?.CreatedDate;
      if (typeof created === "string") {
        return created;
      }
      this.log.warn({ contactId }, "Contact has no CreatedDate, reporting the lead as matched");
    } catch (error) {
      this.log.warn(
        { contactId, code: isLeaddError(error) ? error.code : undefined, err: safeMessage(error) },
        "Could not read the contact to tell created from matched, reporting the lead as matched",
      );
    }
    return null;
  }

  /** Makes one API call with retries; returns a 2xx response or throws a CRM_* LeaddError. */
  private async call(method: "GET" | "POST", path: string, callOptions: CallOptions): Promise<AxiosResponse> {
    const { attempts, baseDelayMs, maxDelayMs } = this.options.retry;
    const resendUnknown = !callOptions.changesData || this.options.retryUnknownSends === true;
    return runWithRetry(() => this.attempt(method, path, callOptions), {
      attempts,
      baseDelayMs,
      maxDelayMs,
      sleep: this.sleep,
      random: this.random,
      decide: (error) => {
        const details = failureDetails(error);
        const retry = details.retryable && (resendUnknown || !details.sendUnknown);
        return { retry, retryAfterMs: details.retryAfterMs ?? null };
      },
      onRetry: ({ attempt, delayMs, error }) => {
        this.onRetry?.();
        const details = failureDetails(error);
        this.log.warn(
          { method, path, attempt, delayMs, status: details.status, networkCode: details.networkCode, err: safeMessage(error) },
          "SuperOffice call failed, retrying",
        );
      },
    });
  }

  /** Makes one try of a call, with one renewal after 401 and one move after 421. */
  private async attempt(method: "GET" | "POST", path: string, callOptions: CallOptions): Promise<AxiosResponse> {
    await this.lookUpTenantOnce();
    let renewed = false;
    let moved = false;
    for (;;) {
      const url = `${this.site.apiBase}${path}`;
      const response = await this.send(method, url, callOptions.body);
      if (response.status >= 200 && response.status < 300) {
        return response;
      }
      const failure = statusFailure(response, method, url, this.now());
      if (response.status === 401 && !renewed) {
        renewed = true;
        if (await this.auth.renew()) {
          this.log.info({ auth: this.auth.type }, "SuperOffice returned 401, signed in again");
          continue;
        }
      }
      if (response.status === 421 && !moved) {
        moved = true;
        if (await this.relocate(failure)) {
          continue;
        }
      }
      throw failure;
    }
  }

  private async send(method: "GET" | "POST", url: string, body: unknown): Promise<AxiosResponse> {
    const headers: Record<string, string> = await this.auth.headers();
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    try {
      return await this.http.request({ method, url, data: body, headers });
    } catch (error) {
      throw networkFailure(error, method, url, this.options.timeoutMs);
    }
  }

  /** Looks up the tenant's current host before the first call, for SuperOffice Online sites. */
  private async lookUpTenantOnce(): Promise<void> {
    if (!this.lookUpTenantFirst || this.tenantLookedUp || this.stateUrl === null) {
      return;
    }
    await this.relocate(null);
    this.tenantLookedUp = true;
  }

  /**
   * Asks the tenant state service where the tenant lives and switches to that host. Returns
   * true when the host changed. After a 421 (`misdirected`) a failed lookup throws the 421
   * error with the lookup failure as its cause.
   */
  private async relocate(misdirected: LeaddError | null): Promise<boolean> {
    if (this.stateUrl === null) {
      if (misdirected) {
        throw misdirected;
      }
      return false;
    }
    let found;
    try {
      found = await lookupTenant(this.http, this.stateUrl, this.options.timeoutMs, this.now());
    } catch (error) {
      if (misdirected) {
        throw new LeaddError("CRM_UNAVAILABLE", `${misdirected.message} Looking up its new host at ${this.stateUrl} failed too.`, {
          cause: error,
          details: { ...failureDetails(error), status: 421 },
        });
      }
      throw error;
    }
    this.tenantLookedUp = true;
    if (found.site.apiBase === this.site.apiBase) {
      if (misdirected) {
        this.log.warn({ url: this.site.apiBase, stateUrl: this.stateUrl }, "SuperOffice returned 421 but the tenant state service names the same host");
      }
      return false;
    }
    this.log.info({ from: this.site.apiBase, to: found.site.apiBase, state: found.state.State }, "SuperOffice tenant lives on another host, switching");
    this.site = found.site;
    return true;
  }
}

/** Returns an error's message without its cause chain or request config, which may hold credentials. */
function safeMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
