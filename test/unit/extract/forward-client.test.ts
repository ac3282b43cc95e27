import { describe, expect, it } from "vitest";
import { clientOfSeparator } from "../../../src/extract/unwrap.js";

describe("clientOfSeparator", () => {
  it.each([
    ["---------- Forwarded message ---------", "Gmail"],
    ["---------- Videresendt besked ---------", "Gmail"],
    ["---------- Doorgestuurd bericht ---------", "Gmail"],
    ["-------- Forwarded Message --------", "Thunderbird"],
    ["-------- Weitergeleitete Nachricht --------", "Thunderbird"],
    ["-------- Original message --------", "Samsung/Android"],
    ["-------- Originalnachricht --------", "Samsung/Android"],
    ["-------- Oorspronkelijk bericht --------", "Samsung/Android"],
    ["Begin forwarded message:", "Apple Mail"],
    ["Anfang der weitergeleiteten Nachricht:", "Apple Mail"],
    ["Vidarebefordrat brev:", "Apple Mail"],
    ["Start på videresendt besked:", "Apple Mail"],
    ["----- Forwarded Message -----", "Yahoo Mail"],
    ["-----Original Message-----", "Outlook"],
    ["-----Ursprüngliche Nachricht-----", "Outlook"],
    ["________________________________", "Outlook"],
  ])("names the client of %s", (separator, client) => {
    expect(clientOfSeparator(separator)).toBe(client);
  });

  it("falls back to Outlook without a separator", () => {
    expect(clientOfSeparator(null)).toBe("Outlook");
  });
});
