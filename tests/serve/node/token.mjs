// Prints the SHA-256 of the token @azure/identity's ManagedIdentityCredential
// gets for its argument, for the shared-cache test.
import { createHash } from "node:crypto";

import { ManagedIdentityCredential } from "@azure/identity";

const token = await new ManagedIdentityCredential().getToken(process.argv[2]);
console.log(createHash("sha256").update(token.token).digest("hex"));
