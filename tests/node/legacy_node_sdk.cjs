// The legacy official Node SDK (npm infisical-node 1.x) against `python -m pytest_infisical serve`:
// the Infisical-token flow with end-to-end encryption, done by the SDK itself. Prints the results.
//
//   node legacy_node_sdk.cjs <node_modules parent> <base url> <full service token>
const path = require("node:path");
const [modules, siteURL, token] = process.argv.slice(2);
const InfisicalClient = require(path.join(modules, "node_modules", "infisical-node")).default
  ?? require(path.join(modules, "node_modules", "infisical-node"));

(async () => {
  const client = new InfisicalClient({ token, siteURL, cacheTTL: 0 });
  const all = await client.getAllSecrets({ environment: "dev", path: "/", attachToProcessEnv: false, includeImports: true });
  const got = await client.getSecret("DB_PASSWORD", { environment: "dev", path: "/", type: "shared" });
  const created = await client.createSecret("FROM_LEGACY_NODE", "one", { environment: "dev", path: "/", type: "shared" });
  const updated = await client.updateSecret("FROM_LEGACY_NODE", "two", { environment: "dev", path: "/", type: "shared" });
  const deleted = await client.deleteSecret("FROM_LEGACY_NODE", { environment: "dev", path: "/", type: "shared" });
  const summary = (b) => ({ name: b.secretName, value: b.secretValue, version: b.version, fallback: b.isFallback });
  console.log(JSON.stringify({ all: all.map(summary), got: summary(got), created: summary(created), updated: summary(updated), deleted: summary(deleted) }));
})().catch((error) => { console.error(error); process.exit(1); });
