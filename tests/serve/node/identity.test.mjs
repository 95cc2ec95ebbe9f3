// @azure/identity's own credentials against `vd-broker serve`, with no code
// of ours in the client: both pick the App Service protocol from
// IDENTITY_ENDPOINT and IDENTITY_HEADER.
import assert from "node:assert/strict";
import { test } from "node:test";

import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";

import { brokerRequests, claims, control, FAULT_RESOURCE } from "./support.mjs";

test("ManagedIdentityCredential gets a Studio token", async () => {
  const token = await new ManagedIdentityCredential().getToken("https://vault.azure.net/.default");
  assert.equal(claims(token.token).aud, "https://vault.azure.net");
  assert.ok(token.expiresOnTimestamp > Date.now() + 50 * 60 * 1000, `${token.expiresOnTimestamp}`);
});

test("DefaultAzureCredential finds the endpoint", async () => {
  // A resource the other files (processes) of this endpoint do not ask for:
  // they share its cache.
  const before = await brokerRequests("sql");
  const token = await new DefaultAzureCredential().getToken("https://database.windows.net/.default");
  assert.equal(claims(token.token).aud, "https://database.windows.net/");
  assert.equal(await brokerRequests("sql"), before + 1);
});

// What @azure/identity raises for each of the endpoint's errors: msal-node
// reports an App Service failure as CredentialUnavailableError, with the
// endpoint's error code and description in the message.

test("an unknown resource is unavailable, naming the known resources", async () => {
  await assert.rejects(new ManagedIdentityCredential().getToken("https://example.com/.default"), (error) => {
    assert.equal(error.name, "CredentialUnavailableError");
    assert.match(error.message, /invalid_resource/);
    assert.match(error.message, /"https:\/\/storage\.azure\.com"/);
    return true;
  });
  await assert.rejects(new DefaultAzureCredential().getToken("https://example.com/.default"), (error) => {
    assert.equal(error.name, "AggregateAuthenticationError");
    assert.match(error.message, /no broker audience is mapped/);
    return true;
  });
});

test("a broker rejection is unavailable with the broker's reason", async () => {
  await control("POST", "faults", { action: "respond", status: 401, times: 8 });
  try {
    await assert.rejects(new ManagedIdentityCredential().getToken(`${FAULT_RESOURCE}/.default`), (error) => {
      assert.equal(error.name, "CredentialUnavailableError");
      assert.match(error.message, /broker_rejected/);
      assert.match(error.message, /broker rejected the request \(401\)/);
      return true;
    });
  } finally {
    await control("DELETE", "faults");
  }
});
