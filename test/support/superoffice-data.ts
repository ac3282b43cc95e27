/**
 * In-memory SuperOffice data for the stand-in: contacts, persons, associates, and the
 * GenerateLead rules as the SuperOffice Web API reference documents them.
 */

export interface SeedAssociate {
  AssociateId: number;
  PersonId: number;
  Firstname: string;
  Lastname: string;
  Email?: string;
}

export interface SeedContact {
  ContactId: number;
  Name: string;
  /** Our contact (sales rep) for this company. */
  AssociateId: number;
  CreatedDate?: string;
  Department?: string;
}

export interface SeedPerson {
  PersonId: number;
  ContactId: number;
  Firstname: string;
  Lastname: string;
  Email: string;
  CreatedDate?: string;
}

export interface SeedData {
  associates?: SeedAssociate[];
  contacts?: SeedContact[];
  persons?: SeedPerson[];
}

/** One lead (sales task) the stand-in made. */
export interface RecordedLead {
  contactId: number;
  personId: number | null;
  description: string;
  request: Record<string, unknown>;
}

interface StoredContact extends SeedContact {
  CreatedDate: string;
}

interface StoredPerson extends SeedPerson {
  CreatedDate: string;
}

/** Creation date of seeded records, long before any test runs. */
const SEEDED_CREATED_DATE = "2020-01-15T09:30:00Z";
/** First id of records the stand-in creates, above any seeded id a test is likely to use. */
const FIRST_CREATED_ID = 1000;

export class SuperOfficeData {
  readonly contacts = new Map<number, StoredContact>();
  readonly persons = new Map<number, StoredPerson>();
  readonly associates = new Map<number, SeedAssociate>();
  readonly leads: RecordedLead[] = [];
  private nextId = FIRST_CREATED_ID;

  constructor(private readonly now: () => number) {
    this.seed({ associates: [{ AssociateId: 12, PersonId: 12, Firstname: "Sara", Lastname: "Salg", Email: "sara@aurora.example.com" }] });
  }

  seed(data: SeedData): void {
    for (const associate of data.associates ?? []) {
      this.associates.set(associate.AssociateId, associate);
    }
    for (const contact of data.contacts ?? []) {
      this.contacts.set(contact.ContactId, { ...contact, CreatedDate: contact.CreatedDate ?? SEEDED_CREATED_DATE });
    }
    for (const person of data.persons ?? []) {
      this.persons.set(person.PersonId, { ...person, CreatedDate: person.CreatedDate ?? SEEDED_CREATED_DATE });
    }
  }

  /**
   * Applies GenerateLead: person found by e-mail → that person; else one contact found by
   * name → a new person on it; several contacts → the list and no person; nothing found → a
   * new contact and person.
   */
  generateLead(request: Record<string, unknown>): Record<string, unknown> {
    const text = (name: string) => (typeof request[name] === "string" ? (request[name] as string).trim() : "");
    const email = text("LeadPersonEmail").toLowerCase();
    const companyName = text("LeadContact");
    const firstname = text("LeadPersonFirstname");
    const lastname = text("LeadPersonLastname");
    const description = text("LeadDescription");

    const person = email === "" ? undefined : [...this.persons.values()].find((candidate) => candidate.Email.toLowerCase() === email);
    if (person) {
      const contact = this.contacts.get(person.ContactId)!;
      this.leads.push({ contactId: contact.ContactId, personId: person.PersonId, description, request });
      return this.salesActivity([contact], person, contact);
    }

    const byName =
      companyName === "" ? [] : [...this.contacts.values()].filter((candidate) => candidate.Name.toLowerCase() === companyName.toLowerCase());
    if (byName.length > 1) {
      return this.salesActivity(byName, null, null);
    }

    const hasPersonData = firstname !== "" || lastname !== "" || email !== "";
    let contact = byName[0];
    if (!contact) {
      if (companyName === "" && !hasPersonData) {
        return this.salesActivity([], null, null);
      }
      const associateId = typeof request.AssociateIdForNewContact === "number" ? request.AssociateIdForNewContact : 0;
      contact = {
        ContactId: this.nextId++,
        Name: companyName !== "" ? companyName : `${firstname} ${lastname}`.trim(),
        AssociateId: associateId,
        CreatedDate: new Date(this.now()).toISOString(),
      };
      this.contacts.set(contact.ContactId, contact as StoredContact);
    }

    let newPerson: StoredPerson | null = null;
    if (hasPersonData) {
      newPerson = {
        PersonId: this.nextId++,
        ContactId: contact.ContactId,
        Firstname: firstname,
        Lastname: lastname,
        Email: email,
        CreatedDate: new Date(this.now()).toISOString(),
      };
      this.persons.set(newPerson.PersonId, newPerson);
    }
    this.leads.push({ contactId: contact.ContactId, personId: newPerson?.PersonId ?? null, description, request });
    return this.salesActivity([contact], newPerson, contact);
  }

  /** ContactEntity as GET /api/v1/Contact/{id} returns it (the fields leadd reads and a few more). */
  contactEntity(contactId: number): Record<string, unknown> | null {
    const contact = this.contacts.get(contactId);
    if (!contact) {
      return null;
    }
    const associate = this.associates.get(contact.AssociateId);
    return {
      ContactId: contact.ContactId,
      Name: contact.Name,
      Department: contact.Department ?? "",
      OrgNr: "",
      UpdatedDate: contact.CreatedDate,
      CreatedDate: contact.CreatedDate,
      Associate: associate
        ? { AssociateId: associate.AssociateId, Name: associate.Firstname, PersonId: associate.PersonId, FullName: fullName(associate) }
        : null,
      Persons: [...this.persons.values()].filter((person) => person.ContactId === contactId).map((person) => this.personCarrier(person)),
      Deleted: 0,
      TableRight: null,
      FieldProperties: {},
    };
  }

  private salesActivity(contacts: SeedContact[], person: SeedPerson | null, repContact: SeedContact | null): Record<string, unknown> {
    const associate = repContact ? this.associates.get(repContact.AssociateId) : undefined;
    return {
      RequestedContacts: contacts.map((contact) => this.contactCarrier(contact)),
      RequestedPerson: person ? this.personCarrier(person) : null,
      SalesRep: associate
        ? this.personCarrier({
            PersonId: associate.PersonId,
            ContactId: 1,
            Firstname: associate.Firstname,
            Lastname: associate.Lastname,
            Email: associate.Email ?? "",
          })
        : null,
      TableRight: null,
      FieldProperties: {},
    };
  }

  private contactCarrier(contact: SeedContact): Record<string, unknown> {
    const associate = this.associates.get(contact.AssociateId);
    return {
      ContactId: contact.ContactId,
      Name: contact.Name,
      OrgNr: "",
      Department: contact.Department ?? "",
      URL: "",
      City: "",
      DirectPhone: "",
      AssociateId: contact.AssociateId,
      CountryId: 578,
      EmailAddress: "",
      Kananame: "",
      EmailAddressName: "",
      URLName: "",
      AssociateFullName: associate ? fullName(associate) : "",
      BusinessName: "",
      CategoryName: "",
      CountryName: "Norway",
      Address: null,
      FormattedAddress: "",
      FullName: contact.Name,
      IsOwnerContact: false,
      ActiveErpLinks: 0,
      Number1: "",
      Number2: "",
      TableRight: null,
      FieldProperties: {},
    };
  }

  private personCarrier(person: SeedPerson): Record<string, unknown> {
    const contact = this.contacts.get(person.ContactId);
    const associate = contact ? this.associates.get(contact.AssociateId) : undefined;
    return {
      Position: "",
      PersonId: person.PersonId,
      Mrmrs: "",
      Firstname: person.Firstname,
      Lastname: person.Lastname,
      MiddleName: "",
      Title: "",
      Description: "",
      Email: person.Email,
      FullName: fullName(person),
      DirectPhone: "",
      FormalName: fullName(person),
      CountryId: 578,
      ContactId: person.ContactId,
      ContactName: contact?.Name ?? "",
      Retired: 0,
      Rank: 1,
      ActiveInterests: 0,
      ContactDepartment: contact?.Department ?? "",
      ContactCountryId: 578,
      ContactOrgNr: "",
      FaxPhone: "",
      MobilePhone: "",
      ContactPhone: "",
      AssociateName: associate ? fullName(associate) : "",
      AssociateId: contact?.AssociateId ?? 0,
      UsePersonAddress: false,
      ContactFax: "",
      EmailName: person.Email,
      ContactFullName: contact?.Name ?? "",
      ActiveErpLinks: 0,
      CategoryName: "",
      TableRight: null,
      FieldProperties: {},
    };
  }
}

function fullName(person: { Firstname: string; Lastname: string }): string {
  return `${person.Firstname} ${person.Lastname}`.trim();
}
