// The broker emulator's control API behind the endpoint, and JWT claims.
// The suite runs node --test under `vd-broker serve --exec`, so
// IDENTITY_ENDPOINT and IDENTITY_HEADER come from the endpoint itself.

// Mapped by the suite (`--audience`) and asked for only while the broker
// fails, so that no token of it is ever cached.
export const FAULT_RESOURCE = "https://fault.example";

if (!process.env.IDENTITY_ENDPOINT || !process.env.IDENTITY_HEADER) {
  throw new Error("run under `vd-broker serve --exec`");
}
// No other credential may answer for DefaultAzureCredential.
for (const name of Object.keys(process.env)) {
  // AZURE_MSI_ENDPOINT is the endpoint's own (object_store's name for it).
  if (name === "AZURE_MSI_ENDPOINT") continue;
  if (/^(AZURE_|MSI_|IMDS_|IDENTITY_SERVER_THUMBPRINT)/.test(name)) delete process.env[name];
}

export async function control(method, path, body) {
  const response = await fetch(`${process.env.VD_SERVE_TEST_EMULATOR}/_emulator/${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
}

export async function brokerRequests(audience) {
  const { requests } = await control("GET", "requests");
  return requests.filter((r) => r.audience === audience).length;
}

export function claims(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
}
