/**
 * A stand-in for SuperOffice CRM Online/onsite over real HTTP on 127.0.0.1, for integration
 * tests: GenerateLead as documented, the Contact entity, currentPrincipal, the tenant state
 * service, the login services, the three auth schemes, and faults injected per request.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SuperOfficeData, type SeedData } from "./superoffice-data.js";
import { LoginService, type OAuthConfig, type SystemUserConfig } from "./superoffice-login.js";

export type { SeedData } from "./superoffice-data.js";

export interface StandInOptions {
  /** Tenant id; default Cust12345. */
  customer?: string;
  basic?: { user: string; password: string };
  /** Fixed SOTicket values the API accepts. */
  tickets?: string[];
  /** Fixed Bearer tokens the API accepts. */
  bearerTokens?: string[];
  /** When set, requests with a fixed SOTicket must send this SO-AppToken. */
  appToken?: string;
  systemUser?: SystemUserConfig;
  oauth?: OAuthConfig;
  seed?: SeedData;
  /** Clock for tickets, tokens, signatures, CreatedDate and the Date header; default Date.now. */
  now?: () => number;
}

export type Fault =
  | { type: "status"; status: number; body?: unknown; headers?: Record<string, string> }
  | { type: "retry-after"; status?: 429 | 503; retryAfter: string }
  | { type: "misdirected" }
  /** Accepts the request and never responds. */
  | { type: "hang" }
  | { type: "null-body" }
  | { type: "message"; message?: string; detail?: string }
  /** Reads the request, then resets the TCP connection. */
  | { type: "reset" };

export interface FaultRule {
  /** Substring or pattern of the path; default: any path under /{customer}/api/. */
  path?: string | RegExp;
  method?: string;
  /** How many matching requests get the fault; default 1, Infinity for a standing rule. */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
  /** Port the request arrived on; it differs after moveTenant(). */
  port: number;
}

interface QueuedFault {
  fault: Fault;
  rule: FaultRule;
  remaining: number;
}

const GENERATE_LEAD = /^\/v1\/agents\/appointment\/generatelead$/i;
const CURRENT_PRINCIPAL = /^\/v1\/user\/currentprincipal$/i;
const CONTACT_ENTITY = /^\/v1\/contact\/(\d+)$/i;

export class SuperOfficeStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly data: SuperOfficeData;
  readonly customer: string;
  private readonly login: LoginService;
  private readonly servers: http.Server[] = [];
  private readonly faults: QueuedFault[] = [];
  private activeServer = 0;
  private tenantState = { State: "Running", IsRunning: true };
  private responseDelay: ((request: RecordedRequest) => number) | null = null;
  private clock: () => number;

  private constructor(private readonly options: StandInOptions) {
    this.customer = options.customer ?? "Cust12345";
    this.clock = options.now ?? Date.now;
    this.data = new SuperOfficeData(() => this.clock());
    this.login = new LoginService(this.customer, () => this.clock(), options.systemUser, options.oauth);
    if (options.seed) {
      this.data.seed(options.seed);
    }
  }

  static async start(options: StandInOptions = {}): Promise<SuperOfficeStandIn> {
    const standIn = new SuperOfficeStandIn(options);
    await standIn.login.init();
    await standIn.listen();
    return standIn;
  }

  /** Origin of the first server, where the login and state services stay. */
  get origin(): string {
    return this.originOf(0);
  }

  /** Site URL of the first server, such as http://127.0.0.1:PORT/Cust12345. */
  get url(): string {
    return `${this.origin}/${this.customer}`;
  }

  /** Site URL where the tenant lives now. */
  get currentUrl(): string {
    return `${this.originOf(this.activeServer)}/${this.customer}`;
  }

  set now(clock: () => number) {
    this.clock = clock;
  }

  seed(data: SeedData): void {
    this.data.seed(data);
  }

  /** Queues a fault for the next matching request(s). */
  fail(fault: Fault, rule: FaultRule = {}): void {
    this.faults.push({ fault, rule, remaining: rule.times ?? 1 });
  }

  /**
   * Delays every request under /{customer}/api/ by this many milliseconds before it is
   * handled; a function gets the recorded request, so a test can also act on its arrival.
   * null = no delay.
   */
  setResponseDelay(delay: number | ((request: RecordedRequest) => number) | null): void {
    this.responseDelay = typeof delay === "number" ? () => delay : delay;
  }

  /** Drops queued faults. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Moves the tenant to a new server on another port: the old one answers 421 and the state service names the new one. */
  async moveTenant(): Promise<string> {
    await this.listen();
    this.activeServer = this.servers.length - 1;
    return this.currentUrl;
  }

  setTenantState(state: string, isRunning: boolean): void {
    this.tenantState = { State: state, IsRunning: isRunning };
  }

  /** Expires every ticket and access token the login services issued. */
  revokeIssuedCredentials(): void {
    this.login.revokeAll();
  }

  /** GenerateLead requests received, optionally only those for one lead e-mail address. */
  generateLeadRequests(email?: string): RecordedRequest[] {
    return this.requests.filter((request) => {
      if (!GENERATE_LEAD.test(this.apiPath(request.path) ?? "")) {
        return false;
      }
      const sent = (request.json as { LeadPersonEmail?: unknown } | undefined)?.LeadPersonEmail;
      return email === undefined || (typeof sent === "string" && sent.toLowerCase() === email.toLowerCase());
    });
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  private originOf(index: number): string {
    const address = this.servers[index]!.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  private async listen(): Promise<void> {
    const index = this.servers.length;
    const server = http.createServer((request, response) => {
      void this.handle(index, request, response).catch((error: unknown) => {
        if (!response.headersSent) {
          this.json(response, 500, { Error: true, ErrorType: "StandInFailure", ErrorMessage: String(error) });
        }
      });
    });
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  }

  private async handle(serverIndex: number, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    const method = request.method ?? "GET";
    let json: unknown;
    try {
      json = body === "" ? undefined : JSON.parse(body);
    } catch {
      json = undefined;
    }
    const port = (request.socket.localPort ?? 0);
    const recorded: RecordedRequest = { method, path, headers: request.headers, body, json, port };
    this.requests.push(recorded);

    const apiPath = this.apiPath(path);
    const delayMs = apiPath !== null && this.responseDelay ? this.responseDelay(recorded) : 0;
    if (delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    response.setHeader("Date", new Date(this.clock()).toUTCString());
    const fault = this.takeFault(method, path, apiPath !== null);
    if (fault) {
      this.applyFault(fault, request, response);
      return;
    }

    if (apiPath !== null) {
      this.handleApi(serverIndex, method, apiPath, request.headers, json, response);
      return;
    }
    if (method === "GET" && path.toLowerCase() === `/api/state/${this.customer.toLowerCase()}`) {
      this.json(response, 200, this.stateBody());
      return;
    }
    if (method === "POST" && path.toLowerCase() === "/login/api/partnersystemuser/authenticate") {
      const result = await this.login.authenticate(json);
      this.json(response, result.status, result.body);
      return;
    }
    if (method === "GET" && path.toLowerCase() === "/login/.well-known/jwks") {
      this.json(response, 200, this.login.jwks());
      return;
    }
    if (method === "POST" && path.toLowerCase() === "/login/common/oauth/tokens") {
      const result = this.login.tokens(new URLSearchParams(body));
      this.json(response, result.status, result.body);
      return;
    }
    this.json(response, 404, { Error: true, ErrorType: "NotFound", ErrorMessage: `No route for ${method} ${path}` });
  }

  private handleApi(
    serverIndex: number,
    method: string,
    apiPath: string,
    headers: IncomingHttpHeaders,
    json: unknown,
    response: ServerResponse,
  ): void {
    if (serverIndex !== this.activeServer) {
      this.json(response, 421, { Error: true, ErrorType: "MisdirectedRequest", ErrorMessage: "Wrong subdomain used to access tenant" });
      return;
    }
    if (!this.tenantState.IsRunning) {
      this.json(response, 503, { Error: true, ErrorType: "TenantOffline", ErrorMessage: `Tenant is ${this.tenantState.State}` });
      return;
    }
    const authProblem = this.checkAuth(headers);
    if (authProblem) {
      this.json(response, 401, { Error: true, ErrorType: "UnauthorizedAccessException", ErrorMessage: authProblem, ErrorSource: "Authorization" });
      return;
    }

    if (method === "POST" && GENERATE_LEAD.test(apiPath)) {
      if (json === null || typeof json !== "object" || Array.isArray(json)) {
        this.json(response, 400, { Message: "The request is invalid.", MessageDetail: "The request body is not a GenerateLead request." });
        return;
      }
      this.json(response, 200, this.data.generateLead(json as Record<string, unknown>));
      return;
    }
    if (method === "GET" && CURRENT_PRINCIPAL.test(apiPath)) {
      this.json(response, 200, {
        UserType: "InternalAssociate",
        Associate: "LEADD",
        AssociateId: 5,
        IsPerson: true,
        PersonId: 5,
        ContactId: 1,
        FullName: "Leadd Integration",
        DatabaseContextIdentifier: this.customer,
        UserName: "leadd",
      });
      return;
    }
    const contactMatch = CONTACT_ENTITY.exec(apiPath);
    if (method === "GET" && contactMatch) {
      const entity = this.data.contactEntity(Number(contactMatch[1]));
      if (entity === null) {
        this.json(response, 404, { Error: true, ErrorType: "NotFound", ErrorMessage: `Contact ${contactMatch[1]} not found` });
        return;
      }
      this.json(response, 200, entity);
      return;
    }
    this.json(response, 404, { Error: true, ErrorType: "NotFound", ErrorMessage: `No route for ${method} ${apiPath}` });
  }

  /** Returns why the credentials are refused, or null when they are accepted. */
  private checkAuth(headers: IncomingHttpHeaders): string | null {
    const authorization = headers.authorization ?? "";
    const appToken = typeof headers["so-apptoken"] === "string" ? headers["so-apptoken"] : null;
    const space = authorization.indexOf(" ");
    if (space < 0) {
      return "Missing or malformed Authorization header.";
    }
    const scheme = authorization.slice(0, space).toLowerCase();
    const credential = authorization.slice(space + 1).trim();

    if (scheme === "basic" && this.options.basic) {
      const decoded = Buffer.from(credential, "base64").toString("utf8");
      return decoded === `${this.options.basic.user}:${this.options.basic.password}` ? null : "Invalid user name or password.";
    }
    if (scheme === "soticket") {
      if (this.options.tickets?.includes(credential)) {
        return this.options.appToken === undefined || appToken === this.options.appToken ? null : "Missing or invalid SO-AppToken.";
      }
      const issued = this.login.issued.get(credential);
      if (!issued || issued.expiresAtMs <= this.clock()) {
        return "Invalid or expired ticket.";
      }
      return issued.appToken === null || appToken === issued.appToken ? null : "Missing or invalid SO-AppToken.";
    }
    if (scheme === "bearer") {
      if (this.options.bearerTokens?.includes(credential)) {
        return null;
      }
      const issued = this.login.issued.get(credential);
      return issued && issued.expiresAtMs > this.clock() ? null : "Invalid or expired access token.";
    }
    return `Authorization scheme ${scheme} is not accepted here.`;
  }

  private stateBody(): Record<string, unknown> {
    const site = this.currentUrl;
    return {
      ContextIdentifier: this.customer,
      Endpoint: site,
      State: this.tenantState.State,
      IsRunning: this.tenantState.IsRunning,
      ValidUntil: new Date(this.clock() + 60 * 60 * 1000).toISOString(),
      Api: `${site}/api`,
    };
  }

  /** Returns the path below /{customer}/api, or null for other paths. */
  private apiPath(path: string): string | null {
    const prefix = `/${this.customer.toLowerCase()}/api`;
    return path.toLowerCase().startsWith(`${prefix}/`) ? path.slice(prefix.length) : null;
  }

  private takeFault(method: string, path: string, isApi: boolean): Fault | null {
    for (const queued of this.faults) {
      const { rule } = queued;
      if (queued.remaining <= 0) {
        continue;
      }
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) {
        continue;
      }
      const pathMatches =
        rule.path === undefined ? isApi : typeof rule.path === "string" ? path.toLowerCase().includes(rule.path.toLowerCase()) : rule.path.test(path);
      if (!pathMatches) {
        continue;
      }
      queued.remaining -= 1;
      return queued.fault;
    }
    return null;
  }

  private applyFault(fault: Fault, request: IncomingMessage, response: ServerResponse): void {
    switch (fault.type) {
      case "status":
        for (const [name, value] of Object.entries(fault.headers ?? {})) {
          response.setHeader(name, value);
        }
        this.json(response, fault.status, fault.body ?? { Error: true, ErrorType: "InjectedFault", ErrorMessage: `Injected HTTP ${fault.status}` });
        return;
      case "retry-after":
        response.setHeader("Retry-After", fault.retryAfter);
        this.json(response, fault.status ?? 429, { Error: true, ErrorType: "TooManyRequests", ErrorMessage: "Slow down" });
        return;
      case "misdirected":
        this.json(response, 421, { Error: true, ErrorType: "MisdirectedRequest", ErrorMessage: "Wrong subdomain used to access tenant" });
        return;
      case "hang":
        return;
      case "null-body":
        response.writeHead(200, { "Content-Type": "application/json; charset=utf-8" });
        response.end("null");
        return;
      case "message":
        this.json(response, 200, { Message: fault.message ?? "The request is invalid.", MessageDetail: fault.detail ?? "Injected failure" });
        return;
      case "reset":
        request.socket.resetAndDestroy();
        return;
    }
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    response.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
    response.end(text);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
