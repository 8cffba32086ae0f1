// The service-token flow in Node.js with only its built-in crypto and fetch, as a non-Python client
// of `python -m pytest_infisical serve`: unwrap the project key with the token's 4th part, list and
// decrypt secrets, write one encrypted secret, read it back. Prints the result as JSON.
//
//   node service_token_flow.mjs <base url> <full service token> <environment> <secret path>
import crypto from "node:crypto";

const [baseUrl, token, environment, secretPath] = process.argv.slice(2);
const lastDot = token.lastIndexOf(".");
const bearer = token.slice(0, lastDot); // st.<id>.<secret>
const tokenKey = token.slice(lastDot + 1); // the 4th part: never sent

function decrypt({ ciphertext, iv, tag }, key) {
  // AES-256-GCM, the 32-char hex key used as its UTF-8 bytes, 16-byte IV, tag apart
  const decipher = crypto.createDecipheriv("aes-256-gcm", Buffer.from(key, "utf8"), Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64")), decipher.final()]).toString("utf8");
}

function encrypt(plaintext, key) {
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv("aes-256-gcm", Buffer.from(key, "utf8"), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return { ciphertext: ciphertext.toString("base64"), iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64") };
}

async function api(method, path, { query, body } = {}) {
  const url = new URL(baseUrl.replace(/\/$/, "") + path);
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
  const response = await fetch(url, {
    method,
    headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json", "User-Agent": "InfisicalNodeSDK" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(payload)}`);
  return payload;
}

const document = await api("GET", "/api/v2/service-token");
const projectKey = decrypt({ ciphertext: document.encryptedKey, iv: document.iv, tag: document.tag }, tokenKey);
const scope = { workspaceId: document.workspace, environment, secretPath };

const listed = await api("GET", "/api/v3/secrets", { query: scope });
const secrets = {};
for (const s of listed.secrets) {
  const name = decrypt({ ciphertext: s.secretKeyCiphertext, iv: s.secretKeyIV, tag: s.secretKeyTag }, projectKey);
  secrets[name] = decrypt({ ciphertext: s.secretValueCiphertext, iv: s.secretValueIV, tag: s.secretValueTag }, projectKey);
}

const name = encrypt("FROM_NODE", projectKey);
const value = encrypt("written-by-node", projectKey);
await api("POST", "/api/v3/secrets/FROM_NODE", {
  body: {
    ...scope,
    type: "shared",
    secretKeyCiphertext: name.ciphertext, secretKeyIV: name.iv, secretKeyTag: name.tag,
    secretValueCiphertext: value.ciphertext, secretValueIV: value.iv, secretValueTag: value.tag,
  },
});
const readBack = await api("GET", "/api/v3/secrets/FROM_NODE", { query: { ...scope, type: "shared" } });
const written = decrypt(
  { ciphertext: readBack.secret.secretValueCiphertext, iv: readBack.secret.secretValueIV, tag: readBack.secret.secretValueTag },
  projectKey,
);

console.log(JSON.stringify({ projectKeyLength: projectKey.length, secrets, written }));
