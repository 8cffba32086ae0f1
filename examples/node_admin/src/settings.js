// The application's settings loader: Infisical machine identity (Universal Auth) → plaintext
// settings. This is the code under test; it knows nothing about pytest-infisical.
//
// It logs in once and reuses the access token, logs in again when the server says the token is
// no longer good (401/403), and retries a 429 or a 5xx answer a few times, honouring Retry-After.

export class SettingsError extends Error {}

export class SettingsLoader {
  constructor({ siteUrl, clientId, clientSecret, projectId, retries = 3, sleep }) {
    this.siteUrl = siteUrl.replace(/\/+$/, "");
    Object.assign(this, { clientId, clientSecret, projectId, retries });
    this.sleep = sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.accessToken = null;
  }

  async #send(method, path, { query, body, auth = true } = {}) {
    const url = new URL(this.siteUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(url, {
        method,
        headers: {
          "Content-Type": "application/json",
          ...(auth ? { Authorization: `Bearer ${this.accessToken}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const retryable = response.status === 429 || response.status >= 500;
      if (!retryable || attempt >= this.retries) return response;
      const wait = Number(response.headers.get("retry-after") ?? "0");
      await this.sleep(Math.min(Number.isFinite(wait) ? wait : 0, 5) * 1000);
    }
  }

  async #login() {
    const response = await this.#send("POST", "/api/v1/auth/universal-auth/login", {
      body: { clientId: this.clientId, clientSecret: this.clientSecret },
      auth: false,
    });
    if (response.status !== 200) throw new SettingsError(`login failed with ${response.status}`);
    this.accessToken = (await response.json()).accessToken;
  }

  async #list(environment, path) {
    return this.#send("GET", "/api/v3/secrets/raw", {
      query: { workspaceId: this.projectId, environment, secretPath: path },
    });
  }

  /** The plaintext secrets of one folder, name → value. */
  async load(environment = "dev", path = "/") {
    if (this.accessToken === null) await this.#login();
    let response = await this.#list(environment, path);
    if (response.status === 401 || response.status === 403) {
      await this.#login(); // expired or revoked: log in again, once
      response = await this.#list(environment, path);
    }
    if (response.status !== 200) {
      throw new SettingsError(`cannot load ${environment}:${path} (HTTP ${response.status})`);
    }
    const { secrets } = await response.json();
    return Object.fromEntries(secrets.map((secret) => [secret.secretKey, secret.secretValue]));
  }
}
