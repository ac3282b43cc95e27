/**
 * Response carriers of SuperOffice's `POST /api/v1/Agents/Appointment/GenerateLead`, as
 * documented in the SuperOffice Web API reference. Only the fields leadd reads are required;
 * SuperOffice sends more, and `$select` or field rights may null any of them.
 */

/** Contact carrier: a company in RequestedContacts. */
export interface ContactCarrier {
  ContactId: number;
  Name: string;
  OrgNr?: string | null;
  Department?: string | null;
  URL?: string | null;
  City?: string | null;
  DirectPhone?: string | null;
  AssociateId?: number | null;
  CountryId?: number | null;
  EmailAddress?: string | null;
  AssociateFullName?: string | null;
  BusinessName?: string | null;
  CategoryName?: string | null;
  CountryName?: string | null;
  FullName?: string | null;
  IsOwnerContact?: boolean | null;
  [field: string]: unknown;
}

/** Person carrier: RequestedPerson and SalesRep. */
export interface PersonCarrier {
  PersonId: number;
  Firstname?: string | null;
  Lastname?: string | null;
  FullName?: string | null;
  Email?: string | null;
  ContactId?: number | null;
  ContactName?: string | null;
  DirectPhone?: string | null;
  MobilePhone?: string | null;
  AssociateId?: number | null;
  AssociateName?: string | null;
  [field: string]: unknown;
}

/** Body of a successful GenerateLead call. */
export interface SalesActivity {
  /** The companies that match the request; several with no RequestedPerson means the match was ambiguous. */
  RequestedContacts: ContactCarrier[];
  /** The person found or created, or null. */
  RequestedPerson: PersonCarrier | null;
  /** The sales representative (our contact) of the person's company, or null. */
  SalesRep: PersonCarrier | null;
  TableRight?: unknown;
  FieldProperties?: unknown;
}
