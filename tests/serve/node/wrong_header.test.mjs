// A wrong IDENTITY_HEADER: 401. In a file of its own, so in a process of its
// own: msal-node reads the environment once per process.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ManagedIdentityCredential } from "@azure/identity";

import "./support.mjs";

test("a wrong header is unavailable with the endpoint's 401", async () => {
  process.env.IDENTITY_HEADER = "0".repeat(64);
  await assert.rejects(new ManagedIdentityCredential().getToken("https://vault.azure.net/.default"), (error) => {
    assert.equal(error.name, "CredentialUnavailableError");
    assert.match(error.message, /unauthorized/);
    assert.match(error.message, /X-IDENTITY-HEADER header is wrong/);
    return true;
  });
});
