import type { Analysis, LeadRequest } from "../types.js";

/** Settings for the GenerateLead body that come from the `lead` config section. */
export interface LeadSettings {
  associateIdForNewContact: number;
  relation: string;
  relationId: number;
  ownCompany?: string;
}

/**
 * Builds the exact GenerateLead request body for an analysed lead. The creator fields stay
 * empty when the lead wrote in directly; CreatorsContact is our own company for a forward.
 */
export function buildLeadRequest(analysis: Analysis, lead: LeadSettings): LeadRequest {
  const creator = analysis.creator;
  return {
    AssociateIdForNewContact: lead.associateIdForNewContact,
    LeadDescription: analysis.lead.description,
    Relation: lead.relation,
    RelationId: lead.relationId,
    LeadContact: analysis.lead.company,
    LeadPersonFirstname: analysis.lead.firstname,
    LeadPersonLastname: analysis.lead.lastname,
    LeadPersonEmail: analysis.lead.email,
    LeadPhoneNumber: analysis.lead.phone,
    CreatorsContact: creator ? creator.company || lead.ownCompany || "" : "",
    CreatorsFirstname: creator?.firstname ?? "",
    CreatorsLastname: creator?.lastname ?? "",
  };
}
