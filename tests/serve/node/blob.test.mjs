// @azure/storage-blob with DefaultAzureCredential uploads a blob to Azurite
// (OAuth over HTTPS), its bearer minted by the broker emulator and handed
// out by `vd-broker serve`. The suite starts Azurite and trusts its CA
// (NODE_EXTRA_CA_CERTS).
import assert from "node:assert/strict";
import { test } from "node:test";

import { DefaultAzureCredential } from "@azure/identity";
import { BlobServiceClient } from "@azure/storage-blob";

import "./support.mjs";

test("a blob goes up and comes back through DefaultAzureCredential", async () => {
  const port = process.env.VD_SERVE_AZURITE_PORT;
  assert.ok(port, "the suite starts Azurite and sets VD_SERVE_AZURITE_PORT");
  const service = new BlobServiceClient(`https://127.0.0.1:${port}/devstoreaccount1`, new DefaultAzureCredential());
  const container = service.getContainerClient(`serve-node-${Date.now()}`);
  await container.create();
  const text = "uploaded through vd-broker serve";
  await container.getBlockBlobClient("hello.txt").upload(text, Buffer.byteLength(text));
  const downloaded = await container.getBlobClient("hello.txt").downloadToBuffer();
  assert.equal(downloaded.toString(), text);
});
