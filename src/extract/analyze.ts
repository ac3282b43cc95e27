import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { Analysis, Evidence, LeadField, Party } from "../types.js";
import { notLeadReason } from "../classify/not-lead.js";
import { domainOf, findEmail, findEmails, isOwnAddress, isRelayAddress } from "./address.js";
import { splitBody } from "./body.js";
import { companyFromDomain, companyFromProse, isOwnCompany, scoreCompanySegment, segments, type CompanyCandidate } from "./company.js";
import { readForm, type FormData } from "./form.js";
import type { FormRule } from "./form-rules.js";
import { isFreeMailDomain } from "./free-mail.js";
import { companyFromSignatureLine, SIGNATURE_LINE_CONFIDENCE } from "./signature-company.js";
import { detectLanguage, LANGUAGE_NAMES } from "./language.js";
import { parseMime, type Address, type ParsedMessage } from "./mime.js";
import { joinFormName, splitName } from "./names.js";
import { chooseName, nameEvidence } from "./person.js";
import { regionOfCountryName, regionOfEmail, regionOfLanguage, scanPhones, toE164, type PhoneCandidate } from "./phone.js";
import { unwrapMessage, type Layer } from "./unwrap.js";
import type { CountryCode } from "libphonenumber-js";

export interface AnalyzeOptions {
  defaultCountry: string;
  ownDomains: string[];
  ownAddresses: string[];
  ownCompany?: string;
  appendForwarderNote: boolean;
  minConfidence: number;
  formRules: FormRule[];
}

/** Headers kept on the analysis for the reply stage: loop checks, the List-Post recipient check and threading. */
const KEPT_HEADERS = [
  "auto-submitted", "precedence", "list-id", "list-unsubscribe", "x-leadd-reply", "reply-to", "return-path", "x-autoreply", "x-auto-response-suppress",
  "list-post", "in-reply-to", "references",
];

/**
 * Classifies one raw message and, for a lead, extracts the lead's person, company, phone
 * and enquiry text with evidence. Throws LeaddError MESSAGE_UNREADABLE only when the bytes
 * are not mail at all.
 */
export async function analyzeMessage(raw: Buffer, options: AnalyzeOptions, log: Logger): Promise<Analysis> {
  const message = await parseMime(raw);
  const sender = rewriteSender(message);
  const relayed = sender.relayed;
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) if (message.headerText[name]) headers[name] = message.headerText[name]!;

  const base = {
    messageId: message.messageId,
    subject: message.subject,
    from: sender.address.address,
    replyTo: message.replyTo?.address ?? null,
    headers,
  };

  const notLead = notLeadReason(message, options, relayed);
  if (notLead) {
    log.debug({ messageId: message.messageId, reason: notLead }, "message is not a lead");
    return { ...base, ...emptyLead(), isLead: false, reason: notLead, fingerprint: fingerprint("", message.messageId ?? message.subject) };
  }

  const layers = await unwrapMessage(message, sender.address, options);
  return extractLead(message, layers, options, base);
}

function emptyLead(): Pick<Analysis, "language" | "lead" | "creator" | "forwarderNote" | "evidence" | "missing" | "originalMessageId"> {
  return {
    language: null,
    lead: { firstname: "", lastname: "", email: "", company: "", phone: "", description: "" },
    creator: null,
    forwarderNote: "",
    evidence: {},
    missing: [],
    originalMessageId: null,
  };
}

/** Undoes sender rewriting by group relays: "'Name' via Group" and X-Original-Sender. */
function rewriteSender(message: ParsedMessage): { address: Address; relayed: boolean } {
  const from = message.from ?? { name: "", address: "" };
  const original = findEmail(message.headerText["x-original-sender"] ?? "");
  const via = /^['"]?(.+?)['"]?\s+via\s+\S/i.exec(from.name);
  if (via || original) {
    const replyTo = message.replyTo && message.replyTo.address !== from.address ? message.replyTo.address : null;
    const address = original ?? replyTo ?? from.address;
    const name = via ? via[1]!.trim() : from.name;
    return { address: { name, address }, relayed: true };
  }
  return { address: from, relayed: false };
}

function fingerprint(email: string, description: string): string {
  const normalised = `${email.toLowerCase()}\n${description.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim()}`;
  return createHash("sha256").update(normalised).digest("hex");
}

interface Base {
  messageId: string | null;
  subject: string;
  from: string;
  replyTo: string | null;
  headers: Record<string, string>;
}

function extractLead(message: ParsedMessage, layers: Layer[], options: AnalyzeOptions, base: Base): Analysis {
  const own = (address: string): boolean => isOwnAddress(address, options.ownDomains, options.ownAddresses);
  // The innermost sender who is not one of us wrote the enquiry; outer layers are forwarders.
  let leadIndex = layers.length - 1;
  while (leadIndex > 0 && own(layers[leadIndex]!.sender.address)) leadIndex--;
  if (own(layers[leadIndex]!.sender.address)) leadIndex = layers.length - 1;
  const leadLayer = layers[leadIndex]!;
  const evidence: Partial<Record<LeadField, Evidence>> = {};

  // Web-form notifications: fields come from the form, the address from the form or Reply-To.
  const form = readForm(leadLayer.lines, options.formRules, leadLayer.sender.address, leadLayer.subject);
  const relaySender = isRelayAddress(leadLayer.sender.address) || form !== null;
  const replyTo = leadLayer.message?.replyTo ?? null;
  const usableReplyTo = replyTo && replyTo.address !== leadLayer.sender.address && !own(replyTo.address) && !isRelayAddress(replyTo.address) ? replyTo : null;

  let leadAddress: Address = leadLayer.sender;
  let emailFrom = leadIndex === 0 ? "From header" : leadLayer.via === "attached" ? "attached message From header" : "forwarded header";
  let emailConfidence = leadLayer.sender.address ? 0.95 : 0;
  if (relaySender) {
    const formEmail = form?.values.email ? findEmail(form.values.email) : null;
    if (formEmail) {
      leadAddress = { name: usableReplyTo?.address === formEmail ? usableReplyTo.name : "", address: formEmail };
      emailFrom = "form field";
      emailConfidence = 0.95;
    } else if (usableReplyTo) {
      leadAddress = usableReplyTo;
      emailFrom = "Reply-To header";
      emailConfidence = 0.9;
    } else {
      leadAddress = { name: "", address: "" };
      emailConfidence = 0;
    }
  } else if (own(leadLayer.sender.address) || leadLayer.sender.address === "") {
    emailConfidence = leadLayer.sender.address ? 0.3 : 0;
  }

  // Enquiry text, sign-off and signature of the lead's own layer.
  const hintName = leadAddress.name || form?.values.name || "";
  const hints = [hintName, hintName.split(/\s+/)[0] ?? ""].filter((hint) => hint.length > 1);
  const body = splitBody(form ? [] : leadLayer.lines, hints);
  const description = (form?.values.message ?? body.text).trim();
  const language = detectLanguage(description);

  // Person.
  let firstname = "";
  let lastname = "";
  if (form && (form.values.name || form.values.firstname || form.values.lastname)) {
    const split = form.values.name ? splitName(form.values.name) : null;
    const joined = joinFormName({
      firstname: form.values.firstname?.trim() || split?.firstname || "",
      middlename: form.values.middlename ?? "",
      particle: form.values.particle ?? "",
      lastname: form.values.lastname?.trim() || split?.lastname || "",
    });
    firstname = joined.firstname;
    lastname = joined.lastname;
    if (firstname) evidence.LeadPersonFirstname = { value: firstname, from: "form field", confidence: 0.95 };
    if (lastname) evidence.LeadPersonLastname = { value: lastname, from: "form field", confidence: 0.95 };
  } else {
    const displayFrom = leadAddress === usableReplyTo ? "Reply-To header" : emailFrom;
    const name = chooseName(leadAddress.name, displayFrom, body.signature, body.signOffName, leadAddress.address);
    const named = nameEvidence(name);
    firstname = name?.firstname ?? "";
    lastname = name?.lastname ?? "";
    if (named.first) evidence.LeadPersonFirstname = named.first;
    if (named.last) evidence.LeadPersonLastname = named.last;
  }
  if (!leadAddress.address) {
    // Forward headers without addresses and relays without Reply-To: take the signature's address.
    const found = [...body.signature, ...description.split("\n")]
      .flatMap((line) => findEmails(line))
      .find((email) => !own(email) && !isRelayAddress(email));
    if (found) {
      leadAddress = { ...leadAddress, address: found };
      emailFrom = body.signature.some((line) => line.toLowerCase().includes(found)) ? "signature" : "enquiry text";
      emailConfidence = 0.8;
    }
  }
  if (leadAddress.address) evidence.LeadPersonEmail = { value: leadAddress.address, from: emailFrom, confidence: emailConfidence };

  // Company.
  const company = chooseCompany(form, body.signature, description, leadAddress.address, firstname, lastname, options);
  if (company) evidence.LeadContact = { value: company.value, from: company.from, confidence: company.confidence };

  // Phone.
  const phone = choosePhone(form, description, body.signature, leadAddress.address, language, options.defaultCountry);
  if (phone) evidence.LeadPhoneNumber = { value: phone.value, from: phone.from, confidence: phone.confidence };

  // Creator: the outermost forwarder when the lead sits inside a forward.
  let creator: Party | null = null;
  let forwarderNote = "";
  if (leadIndex > 0) {
    const outer = layers[0]!;
    const outerBody = splitBody(outer.lines, [outer.sender.name]);
    const creatorName = chooseName(outer.sender.name, "From header", outerBody.signature, outerBody.signOffName, outer.sender.address);
    creator = {
      firstname: creatorName?.firstname ?? "",
      lastname: creatorName?.lastname ?? "",
      email: outer.sender.address,
      company: own(outer.sender.address) ? (options.ownCompany ?? "") : "",
    };
    forwarderNote = outerBody.text;
    if (creator.firstname) evidence.CreatorsFirstname = { value: creator.firstname, from: "forwarder From header", confidence: creatorName!.confidence };
    if (creator.lastname) evidence.CreatorsLastname = { value: creator.lastname, from: "forwarder From header", confidence: creatorName!.confidence };
    if (creator.company) evidence.CreatorsContact = { value: creator.company, from: "configured own company", confidence: 1 };
  }

  let fullDescription = description;
  if (options.appendForwarderNote && forwarderNote) fullDescription = `${description}\n\nNote from ${[creator?.firstname, creator?.lastname].filter(Boolean).join(" ") || "the forwarder"}:\n${forwarderNote}`;
  if (fullDescription) evidence.LeadDescription = { value: fullDescription, from: form ? "form message field" : "enquiry text", confidence: description.length > 20 ? 0.9 : 0.5 };

  const missing = missingFields(evidence, options.minConfidence);
  // A colleague writing in directly is not the enquirer: a person has to find the real lead.
  if (leadAddress.address && own(leadAddress.address)) missing.push("a lead outside our own domains (the sender is a colleague)");
  const reason = reasonOf(leadIndex, layers, form, body.quoted, language);
  const innermost = layers[layers.length - 1]!;

  return {
    ...base,
    isLead: true,
    reason,
    language,
    lead: {
      firstname,
      lastname,
      email: leadAddress.address,
      company: company?.value ?? "",
      phone: phone?.value ?? "",
      description: fullDescription,
    },
    creator,
    forwarderNote,
    evidence,
    missing,
    originalMessageId: innermost.messageId ?? (layers.length === 1 ? message.messageId : null),
    fingerprint: fingerprint(leadAddress.address, description),
  };
}

function chooseCompany(form: FormData | null, signature: string[], description: string, email: string, firstname: string, lastname: string, options: AnalyzeOptions): CompanyCandidate | null {
  const ownCheck = (name: string): boolean => isOwnCompany(name, options.ownCompany, options.ownDomains);
  if (form?.values.company && !ownCheck(form.values.company)) return { value: form.values.company.trim(), confidence: 0.95, from: "form field" };

  const domain = domainOf(email);
  const personName = `${firstname} ${lastname}`.trim().toLowerCase();
  let best: CompanyCandidate | null = null;
  for (const line of signature) {
    for (const segment of segments(line)) {
      if (personName && segment.toLowerCase() === personName) continue;
      const score = scoreCompanySegment(segment, domain);
      if (score !== null && !ownCheck(segment) && (!best || score > best.confidence)) best = { value: segment, confidence: score, from: "signature" };
    }
  }
  if (best) return best;

  const prose = companyFromProse(description, options.ownCompany, options.ownDomains);
  // A free-mail sender's signature can name the company without a legal form.
  const freeMail = domain === "" || isFreeMailDomain(domain);
  const line = freeMail ? companyFromSignatureLine(signature, personName) : null;
  if (line && !ownCheck(line) && (!prose || prose.confidence < SIGNATURE_LINE_CONFIDENCE)) return { value: line, confidence: SIGNATURE_LINE_CONFIDENCE, from: "signature line below the name" };
  if (prose) return prose;

  if (domain && !isFreeMailDomain(domain) && !isOwnAddress(email, options.ownDomains, [])) {
    const name = companyFromDomain(email);
    if (name && !ownCheck(name)) return { value: name, confidence: 0.3, from: "sender domain" };
  }
  return null;
}

function choosePhone(form: FormData | null, description: string, signature: string[], email: string, language: string | null, defaultCountry: string): PhoneCandidate | null {
  const regions: CountryCode[] = [];
  const add = (region: CountryCode | null): void => {
    if (region && !regions.includes(region)) regions.push(region);
  };
  add(email ? regionOfEmail(email) : null);
  if (form?.values.country) add(regionOfCountryName(form.values.country));
  add(regionOfLanguage(language));
  if (/^[A-Za-z]{2}$/.test(defaultCountry)) add(defaultCountry.toUpperCase() as CountryCode);

  for (const value of [form?.values.mobile, form?.values.phone]) {
    if (!value) continue;
    const phone = toE164(value, regions);
    if (phone) return { value: phone.value, score: 100, confidence: phone.valid ? 0.95 : 0.8, from: "form field" };
  }

  const candidates = [
    ...scanPhones(description.split("\n"), { regions, from: "enquiry text", base: 5, prose: true }),
    ...scanPhones(signature, { regions, from: "signature", base: 3, prose: false }),
  ];
  let best: PhoneCandidate | null = null;
  for (const candidate of candidates) if (!best || candidate.score > best.score) best = candidate;
  return best;
}

function missingFields(evidence: Partial<Record<LeadField, Evidence>>, minConfidence: number): string[] {
  const missing: string[] = [];
  const ok = (field: LeadField): boolean => (evidence[field]?.confidence ?? 0) >= minConfidence && (evidence[field]?.value ?? "") !== "";
  if (!ok("LeadPersonEmail") && !ok("LeadPhoneNumber")) missing.push("LeadPersonEmail or LeadPhoneNumber");
  if (!ok("LeadPersonFirstname") && !ok("LeadPersonLastname")) missing.push("LeadPersonFirstname/LeadPersonLastname");
  if (!evidence.LeadDescription?.value) missing.push("LeadDescription");
  return missing;
}

function reasonOf(leadIndex: number, layers: Layer[], form: FormData | null, quoted: boolean, language: string | null): string {
  const languageName = language ? LANGUAGE_NAMES[language] ?? language : null;
  const details = (first: string | null): string => [first, languageName].filter(Boolean).join(", ");
  if (form) return `web form (${form.rule.label})`;
  if (leadIndex > 0) {
    const layer = layers[leadIndex]!;
    const levels = leadIndex > 1 ? `, ${leadIndex} levels` : "";
    return `forwarded enquiry (${details(layer.client ?? "inline")}${levels})`;
  }
  if (quoted) return `reply with quoted history (${details(null) || "unknown language"})`;
  return `direct enquiry (${details(null) || "unknown language"})`;
}

