// A Node.js test suite (node:test, built-in fetch only) driving `python -m pytest_infisical serve`
// through its admin API, as any foreign test runner would: reset between tests, seed per test,
// arm a 503 and watch the retry succeed, expire a token with the clock, assert on /_fake/calls.
//
//   INFISICAL_SERVE_CREDENTIALS=creds.json node --test tests/node/admin.test.mjs
// where creds.json is what `serve --credentials-out creds.json` wrote.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { beforeEach, describe, test } from "node:test";

const serve = JSON.parse(readFileSync(process.env.INFISICAL_SERVE_CREDENTIALS, "utf8"));
const base = serve.url;

async function admin(method, path, body) {
  const response = await fetch(`${base}/_fake${path}`, {
    method,
    headers: { Authorization: `Bearer ${serve.admin_token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json();
  if (!response.ok) throw new Error(`${method} /_fake${path}: ${response.status} ${payload.message}`);
  return payload;
}

// the "client under test": reads one folder's plaintext secrets, retrying 5xx twice
async function readSecrets(headers, environment, { retries = 2 } = {}) {
  const url = new URL(`${base}/api/v3/secrets/raw`);
  url.searchParams.set("workspaceId", serve.project_id);
  url.searchParams.set("environment", environment);
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, { headers });
    if (response.status >= 500 && attempt < retries) continue;
    if (!response.ok) return { status: response.status };
    const { secrets } = await response.json();
    return { status: response.status, secrets: Object.fromEntries(secrets.map((s) => [s.secretKey, s.secretValue])) };
  }
}

const bearer = (token) => ({ Authorization: `Bearer ${token}` });
const printedToken = bearer(serve.service_token);

describe("serve's admin API from Node", () => {
  beforeEach(async () => {
    await admin("POST", "/reset");
  });

  test("each test seeds its own secrets", async () => {
    await admin("PUT", "/secrets", { environment: "staging", path: "/", secrets: { FEATURE_FLAG: "on" } });
    assert.deepEqual(await readSecrets(printedToken, "staging"), { status: 200, secrets: { FEATURE_FLAG: "on" } });
    const seen = await admin("GET", "/secrets?environment=staging&path=/");
    assert.deepEqual(seen.secrets, { FEATURE_FLAG: "on" });
  });

  test("reset left nothing from the previous test; the printed token still works", async () => {
    assert.deepEqual(await readSecrets(bearer(serve.service_token), "staging"), { status: 200, secrets: {} });
    assert.deepEqual(await readSecrets(printedToken, "dev"), { status: 200, secrets: { DB_PASSWORD: "hunter2" } });
    const { calls } = await admin("GET", "/calls");
    assert.equal(calls.length, 2);
  });

  test("a 503 is retried and the retry succeeds", async () => {
    await admin("POST", "/faults", { method: "GET", path: "/api/v3/secrets/raw", status: 503 });
    const result = await readSecrets(printedToken, "dev");
    assert.deepEqual(result, { status: 200, secrets: { DB_PASSWORD: "hunter2" } });
    const { calls } = await admin("GET", "/calls?path=/api/v3/secrets/raw");
    assert.deepEqual(
      calls.map((c) => [c.status, c.fault]),
      [
        [503, "status 503"],
        [200, null],
      ],
    );
    assert.deepEqual((await admin("GET", "/faults")).faults, []); // the fault was used
  });

  test("the clock expires a token", async () => {
    const made = await admin("POST", "/credentials", {
      type: "service_token",
      scopes: [["dev", "/"]],
      permissions: ["read"],
      expires_in: 60,
    });
    assert.equal((await readSecrets(bearer(made.service_token), "dev")).status, 200);
    await admin("POST", "/clock/advance", { seconds: 61 });
    assert.equal((await readSecrets(bearer(made.service_token), "dev")).status, 403);
    const { calls } = await admin("GET", "/calls?auth=service_token&status=403");
    assert.equal(calls.length, 1);
    assert.equal(calls[0].credential_id, made.id);
    assert.match(calls[0].credential, /^Bearer st\.[0-9a-f]{4}…\(redacted\)$/);
  });

  test("the journal filters by method, template path, auth and status", async () => {
    const login = await fetch(`${base}/api/v1/auth/universal-auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ clientId: serve.machine_identity.client_id, clientSecret: serve.machine_identity.client_secret }),
    });
    const { accessToken } = await login.json();
    await readSecrets(bearer(accessToken), "prod");
    await fetch(`${base}/api/v3/secrets/raw/NOPE?workspaceId=${serve.project_id}&environment=dev`, { headers: printedToken });
    const byIdentity = await admin("GET", "/calls?auth=machine_identity");
    assert.deepEqual(
      byIdentity.calls.map((c) => c.route),
      ["GET /api/v3/secrets/raw"],
    );
    const missing = await admin("GET", "/calls?method=GET&path=/api/v3/secrets/raw/:secretName&status=404");
    assert.equal(missing.calls.length, 1);
    assert.equal(missing.calls[0].auth, "service_token");
    assert.ok(!JSON.stringify(missing).includes(serve.service_token.split(".")[2])); // redacted
    const everything = await admin("GET", "/calls");
    assert.deepEqual(
      everything.calls.map((c) => c.route),
      ["POST /api/v1/auth/universal-auth/login", "GET /api/v3/secrets/raw", "GET /api/v3/secrets/raw/:secretName"],
    );
    assert.deepEqual((await admin("GET", "/unrouted")).calls, []);
  });

  test("bad admin input is a 400 that says what is wrong", async () => {
    const response = await fetch(`${base}/_fake/faults`, {
      method: "POST",
      headers: { Authorization: `Bearer ${serve.admin_token}` },
      body: JSON.stringify({ status: 503, error: "timeout" }),
    });
    assert.equal(response.status, 400);
    assert.match((await response.json()).message, /^fail_next\(\) takes exactly one of status=/);
    const anonymous = await fetch(`${base}/_fake/calls`);
    assert.equal(anonymous.status, 401);
  });
});
