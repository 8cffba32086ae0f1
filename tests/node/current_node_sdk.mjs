// The current official Node SDK (npm @infisical/sdk) against `python -m pytest_infisical serve`:
// Universal Auth login, then the raw secrets API. Prints the results.
//
//   node current_node_sdk.mjs <node_modules parent> <base url> <client id> <client secret> <project id>
import { createRequire } from "node:module";
import path from "node:path";

const [modules, siteUrl, clientId, clientSecret, projectId] = process.argv.slice(2);
const require = createRequire(path.join(modules, "index.js"));
const { InfisicalSDK } = require("@infisical/sdk");

const client = new InfisicalSDK({ siteUrl });
await client.auth().universalAuth.login({ clientId, clientSecret });
const secrets = client.secrets();
const scope = { environment: "dev", projectId, secretPath: "/" };

const listed = await secrets.listSecrets({ ...scope, recursive: true });
const got = await secrets.getSecret({ ...scope, secretName: "DB_PASSWORD" });
const created = await secrets.createSecret("FROM_NODE_SDK", { ...scope, secretValue: "one", secretComment: "c" });
const updated = await secrets.updateSecret("FROM_NODE_SDK", { ...scope, secretValue: "two" });
const deleted = await secrets.deleteSecret("FROM_NODE_SDK", scope);
let missing = null;
try {
  await secrets.getSecret({ ...scope, secretName: "NOPE" });
} catch (error) {
  missing = error.message;
}
console.log(JSON.stringify({
  listed: Object.fromEntries(listed.secrets.map((s) => [s.secretPath + s.secretKey, s.secretValue])),
  got: got.secretValue,
  created: [created.secret.secretValue, created.secret.secretComment, created.secret.version],
  updated: [updated.secret.secretValue, updated.secret.version],
  deleted: deleted.secret.secretKey,
  missing,
}));
