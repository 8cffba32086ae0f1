// Tests of src/settings.js against a fake Infisical: `python -m pytest_infisical serve`, started
// once for the file, reset between tests through its admin API (/_fake/...).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { after, before, beforeEach, describe, test } from "node:test";

import { SettingsError, SettingsLoader } from "../src/settings.js";

let server; // the serve process
let fake; // its startup line: url, project_id, credentials, admin_token

before(async () => {
  server = spawn(process.env.PYTHON ?? "python3", ["-m", "pytest_infisical", "serve"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = await once(createInterface({ input: server.stdout }), "line");
  fake = JSON.parse(line);
});

after(async () => {
  server.kill("SIGTERM");
  await once(server, "exit");
});

// the admin API: the same things the Python fixture offers
async function admin(method, path, body) {
  const response = await fetch(`${fake.url}/_fake${path}`, {
    method,
    headers: { Authorization: `Bearer ${fake.admin_token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json();
  if (!response.ok) throw new Error(`${method} /_fake${path}: ${payload.message}`);
  return payload;
}

function loader(identity = fake.machine_identity) {
  return new SettingsLoader({
    siteUrl: fake.url,
    clientId: identity.client_id,
    clientSecret: identity.client_secret,
    projectId: fake.project_id,
    sleep: async () => {}, // the fake's Retry-After is honoured in spirit; tests need not wait
  });
}

describe("SettingsLoader", () => {
  beforeEach(() => admin("POST", "/reset"));

  test("loads the plaintext settings of a folder", async () => {
    await admin("PUT", "/secrets", { environment: "prod", path: "/api", secrets: { API_URL: "https://example.org" } });
    assert.deepEqual(await loader().load("prod", "/api"), { API_URL: "https://example.org" });
  });

  test("logs in once, and authenticates every call as the machine identity", async () => {
    const settings = loader();
    await settings.load("dev");
    await settings.load("prod");
    const logins = await admin("GET", "/calls?path=/api/v1/auth/universal-auth/login");
    assert.equal(logins.calls.length, 1);
    const reads = await admin("GET", "/calls?path=/api/v3/secrets/raw&auth=machine_identity&status=200");
    assert.equal(reads.calls.length, 2);
  });

  test("retries a 503 and a 429, then succeeds", async () => {
    await admin("POST", "/faults", { path: "/api/v3/secrets/raw", sequence: [503, 429] });
    assert.deepEqual(await loader().load("dev"), { DB_PASSWORD: "hunter2" });
    const { calls } = await admin("GET", "/calls?path=/api/v3/secrets/raw");
    assert.deepEqual(calls.map((call) => call.status), [503, 429, 200]);
  });

  test("gives up after three retries with a clear error", async () => {
    await admin("POST", "/faults", { path: "/api/v3/secrets/raw", status: 502, times: 4 });
    await assert.rejects(loader().load("dev"), new SettingsError("cannot load dev:/ (HTTP 502)"));
  });

  test("logs in again when its access token expires", async () => {
    const { machine_identity: identity } = await admin("POST", "/credentials", {
      type: "machine_identity",
      role: "viewer",
      access_token_ttl: 60,
    });
    const settings = loader(identity);
    await settings.load("dev");
    await admin("POST", "/clock/advance", { seconds: 61 });
    assert.deepEqual(await settings.load("dev"), { DB_PASSWORD: "hunter2" });
    const { calls } = await admin("GET", "/calls");
    assert.deepEqual(
      calls.map((call) => [call.route, call.status]),
      [
        ["POST /api/v1/auth/universal-auth/login", 200],
        ["GET /api/v3/secrets/raw", 200],
        ["GET /api/v3/secrets/raw", 403],
        ["POST /api/v1/auth/universal-auth/login", 200],
        ["GET /api/v3/secrets/raw", 200],
      ],
    );
  });

  test("a revoked identity cannot log in again", async () => {
    await admin("POST", "/revoke", { machine_identity: fake.machine_identity });
    await assert.rejects(loader().load("dev"), new SettingsError("login failed with 401"));
  });
});
