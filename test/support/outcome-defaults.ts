/**
 * The default keyword and folder of each outcome, written out as the README documents them,
 * so tests check against the documented values rather than the code's own constants.
 */
export const KEYWORDS: Record<string, string> = {
  created: "$LeadCreated",
  matched: "$LeadCreated",
  ambiguous: "$LeadReview",
  incomplete: "$LeadReview",
  "not-lead": "$LeadIgnored",
  duplicate: "$LeadDuplicate",
  failed: "$LeadFailed",
  quarantined: "$LeadQuarantined",
};

/** Folder each outcome ends in by default; not-lead mail stays in INBOX. */
export const FOLDERS: Record<string, string> = {
  created: "Leads/Done",
  matched: "Leads/Done",
  ambiguous: "Leads/Review",
  incomplete: "Leads/Review",
  "not-lead": "INBOX",
  duplicate: "Leads/Done",
  failed: "Leads/Failed",
  quarantined: "Leads/Quarantine",
};
