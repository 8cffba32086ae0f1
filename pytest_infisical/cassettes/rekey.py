"""Re-keying: turn recorded traffic with a real Infisical into traffic with fixture material only.

* Every credential — the ones the test was given and every one the server issued (access tokens,
  created service tokens, API keys, access keys) — becomes a deterministic fixture credential of
  the same kind and shape. Ids stay: they are not secret, and tests may name them.
* End-to-end material is re-encrypted: each wrapped project key is unwrapped with the real
  credential (a service token's 4th part, a service account's key pair), each cipher triple is
  decrypted and encrypted again under a fixture project key, and that key is wrapped for the
  fixture credentials, so a client decrypts on replay exactly as it did live. A wrapped key or a
  ciphertext that no real credential opens is replaced by fixture material too.
* Plaintext values read from the server (raw routes, decrypted values, comments) become
  placeholders (``placeholder:NAME``), except the names given in ``keep`` and values the test
  itself wrote in a request body (test data).

:func:`rekey` returns the cassette and the list of real material it replaced, which
:mod:`.scan` then looks for in the written text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Callable, Optional

import attrs

from ..credential_headers import detect_auth_mode, jwt_claims
from ..credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken
from ..errors import CryptoError
from ..http import Request, Response, api_path
from .format import Body, Cassette, Fixture, Interaction, Meta, RecordedRequest, RecordedResponse
from .shapes import CIPHER_PREFIXES, CREDENTIAL, wrapped_key_kind

__all__ = ["ENV_NAMES", "RealCredentials", "Rekeyed", "placeholder", "rekey"]

#: the environment variables Infisical's own tools read the credentials from
ENV_NAMES = (
    "INFISICAL_TOKEN",
    "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID",
    "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
    "INFISICAL_API_KEY",
    "INFISICAL_SERVICE_ACCOUNT_ACCESS_KEY",
    "INFISICAL_SERVICE_ACCOUNT_PUBLIC_KEY",
    "INFISICAL_SERVICE_ACCOUNT_PRIVATE_KEY",
)

#: request headers a cassette keeps (credentials re-keyed); every other request header is dropped
_REQUEST_HEADERS = frozenset({"authorization", "x-api-key", "content-type"})
#: response headers a cassette drops (per connection, or per moment)
_DROPPED_RESPONSE_HEADERS = frozenset(
    {"date", "set-cookie", "connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}
)
_FAR_FUTURE = 4102444800  # 2100-01-01: a fixture access token never expires on replay
_JWT_KEY = b"pytest-infisical cassette fixture"


def placeholder(name: str, part: str = "value") -> str:
    """What a plaintext read from the server becomes: ``placeholder:NAME`` (``placeholder-comment:NAME``)."""
    return f"placeholder:{name}" if part == "value" else f"placeholder-{part}:{name}"


@attrs.frozen(repr=False)
class RealCredentials:
    """The real credentials a recording runs with; any of them may be absent."""

    service_token: Optional[ServiceToken] = None
    api_key: Optional[ApiKey] = None
    service_account: Optional[ServiceAccount] = None
    machine_identity: Optional[MachineIdentity] = None

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> RealCredentials:
        """From the variables Infisical's tools use (see :data:`ENV_NAMES`); malformed ones raise
        :class:`~pytest_infisical.errors.CredentialFormatError`."""
        env = os.environ if environ is None else environ
        token = env.get("INFISICAL_TOKEN")
        api_key = env.get("INFISICAL_API_KEY")
        client_id = env.get("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID")
        client_secret = env.get("INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET")
        access_key = env.get("INFISICAL_SERVICE_ACCOUNT_ACCESS_KEY")
        return cls(
            service_token=ServiceToken.parse(token) if token else None,
            api_key=ApiKey.parse(api_key) if api_key else None,
            service_account=ServiceAccount(
                access_key=access_key,
                public_key=env.get("INFISICAL_SERVICE_ACCOUNT_PUBLIC_KEY", ""),
                private_key=env.get("INFISICAL_SERVICE_ACCOUNT_PRIVATE_KEY", ""),
            )
            if access_key
            else None,
            machine_identity=MachineIdentity(client_id, client_secret) if client_id and client_secret else None,
        )

    def __repr__(self) -> str:
        present = [f.name for f in attrs.fields(RealCredentials) if getattr(self, f.name) is not None]
        return f"RealCredentials({', '.join(present) or 'none'}; redacted)"


@attrs.frozen(repr=False)
class Rekeyed:
    """A re-keyed cassette, and the real material it replaced (``(label, value)``, for the scan)."""

    cassette: Cassette
    real: tuple[tuple[str, str], ...]

    def __repr__(self) -> str:
        return f"<Rekeyed {len(self.cassette.interactions)} interactions, {len(self.real)} real values replaced>"


# --------------------------------------------------------------------------------------------
# deterministic fixture material


def _derive(label: str, hex_chars: int) -> str:
    out = ""
    counter = 0
    while len(out) < hex_chars:
        out += hashlib.sha256(f"pytest-infisical cassette fixture:{label}:{counter}".encode()).hexdigest()
        counter += 1
    return out[:hex_chars]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _fixture_key_pair(label: str) -> tuple[str, str]:
    import nacl.public

    private = nacl.public.PrivateKey(bytes.fromhex(_derive(f"key-pair:{label}", 64)))
    return _b64(bytes(private.public_key)), _b64(bytes(private))


def _fixture_jwt(real: str, index: int, sub: Callable[[str], str]) -> str:
    """A JWT with the real one's claims (re-keyed), a far ``exp``, and a fixture signature."""
    claims = {k: (sub(v) if isinstance(v, str) else v) for k, v in (jwt_claims(real) or {}).items()}
    if "exp" in claims:
        claims["exp"] = _FAR_FUTURE
    claims["fixture"] = index
    head = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64url(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signature = hmac.new(_JWT_KEY, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64url(signature)}"


def _fixture_for(real: str, index: int, sub: Callable[[str], str] = str) -> tuple[str, list[tuple[str, str]]]:
    """The fixture counterpart of a credential-shaped string, and its parts to replace too."""
    parts = real.split(".")
    if real.startswith("st.") and len(parts) >= 3:
        secret = _derive(f"st-secret:{parts[1]}", len(parts[2]))
        if len(parts) == 4:
            key = _derive(f"st-key:{parts[1]}", len(parts[3]))
            return f"st.{parts[1]}.{secret}.{key}", [(parts[2], secret), (parts[3], key)]
        return f"st.{parts[1]}.{secret}", [(parts[2], secret)]
    if real.startswith("ak.") and len(parts) == 3:
        secret = _derive(f"ak-secret:{parts[1]}", len(parts[2]))
        return f"ak.{parts[1]}.{secret}", [(parts[2], secret)]
    if real.startswith("sa.") and len(parts) == 3:
        raw = base64.b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
        secret = _b64(bytes.fromhex(_derive(f"sa-secret:{parts[1]}", 2 * len(raw))))
        return f"sa.{parts[1]}.{secret}", [(parts[2], secret)]
    return _fixture_jwt(real, index, sub), []


# --------------------------------------------------------------------------------------------


class _Rekeyer:
    def __init__(self, real: RealCredentials, keep: Iterable[str]) -> None:
        self.keep = frozenset(keep)
        self.table: dict[str, str] = {}  # real string -> fixture string
        self.real_labels: dict[str, str] = {}  # real string -> what it is (for the scan report)
        self.fixture_credentials: dict[str, Any] = {}
        self.issued: list[str] = []
        self.token_keys: dict[str, str] = {}  # real service-token key part -> fixture key part
        self.key_pairs: list[tuple[tuple[str, str], tuple[str, str]]] = []  # (real pair, fixture pair)
        self.project_keys: dict[str, str] = {}  # real project key -> fixture project key
        self.written: set[str] = set()  # plaintexts the test wrote: test data
        self.replaced: dict[str, str] = {}  # real plaintexts replaced by placeholders -> label
        self._pattern: Optional[re.Pattern[str]] = None
        self._given(real)

    # ---- the table of real -> fixture strings

    def _map(self, real: str, fixture: str, label: str) -> None:
        if real and real != fixture and real not in self.table:
            self.table[real] = fixture
            self.real_labels[real] = label
            self._pattern = None

    def _given(self, real: RealCredentials) -> None:
        if real.service_token is not None:
            st = real.service_token
            fixture = ServiceToken(
                id=st.id, secret=_derive(f"st-secret:{st.id}", 32), key=_derive(f"st-key:{st.id}", 32)
            )
            self._map(st.token, fixture.token, "the service token")
            self._map(st.bearer, fixture.bearer, "the service token")
            self._map(st.secret, fixture.secret, "the service token's secret part")
            self._map(st.key, fixture.key, "the service token's key part")
            self.token_keys[st.key] = fixture.key
            self.fixture_credentials["service_token"] = fixture.token
        if real.api_key is not None:
            ak = real.api_key
            fixture_ak = ApiKey(id=ak.id, secret=_derive(f"ak-secret:{ak.id}", 32))
            self._map(ak.value, fixture_ak.value, "the API key")
            self._map(ak.secret, fixture_ak.secret, "the API key's secret part")
            self.fixture_credentials["api_key"] = fixture_ak.value
        if real.service_account is not None:
            sa = real.service_account
            access_key, parts = _fixture_for(sa.access_key, 0)
            public, private = _fixture_key_pair(sa.access_key.split(".")[1])
            self._map(sa.access_key, access_key, "the service-account access key")
            for real_part, fixture_part in parts:
                self._map(real_part, fixture_part, "the service-account access key's secret part")
            self._map(sa.private_key, private, "the service account's private key")
            self._map(sa.public_key, public, "the service account's public key")
            self.key_pairs.append(((sa.public_key, sa.private_key), (public, private)))
            self.fixture_credentials["service_account"] = {
                "access_key": access_key,
                "public_key": public,
                "private_key": private,
            }
        if real.machine_identity is not None:
            mi = real.machine_identity
            raw = _derive("mi-client-id", 32)
            client_id = f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:32]}"
            client_secret = _derive("mi-client-secret", 64)
            self._map(mi.client_id, client_id, "the machine identity's client id")
            self._map(mi.client_secret, client_secret, "the machine identity's client secret")
            self.fixture_credentials["machine_identity"] = {"client_id": client_id, "client_secret": client_secret}

    def _discover(self, text: str) -> None:
        for match in CREDENTIAL.finditer(text):
            real = match.group(0)
            if real in self.table or real in self.table.values() or real in self.issued:
                continue
            fixture, parts = _fixture_for(real, len(self.issued), self.sub)
            self._map(real, fixture, "a credential the server issued")
            for real_part, fixture_part in parts:
                self._map(real_part, fixture_part, "a part of a credential the server issued")
            if real.startswith("st.") and real.count(".") == 3:
                self.token_keys[real.rsplit(".", 1)[1]] = fixture.rsplit(".", 1)[1]
                self._map(real.rsplit(".", 1)[0], fixture.rsplit(".", 1)[0], "a credential the server issued")
            self.issued.append(fixture)

    def sub(self, text: str) -> str:
        if not self.table:
            return text
        if self._pattern is None:
            ordered = sorted(self.table, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(s) for s in ordered))
        return self._pattern.sub(lambda m: self.table[m.group(0)], text)

    # ---- pass 1: find every credential and every project key

    def learn(self, exchanges: Sequence[tuple[Request, Response]]) -> None:
        for request, response in exchanges:
            for text in _strings_of(request, response):
                self._discover(text)
            for kind in ("clientId", "clientSecret"):  # another identity's login: its pair is real too
                body = _json_or_none(request.body)
                if isinstance(body, dict) and isinstance(body.get(kind), str):
                    label = "a machine identity's client id" if kind == "clientId" else "a client secret"
                    self._map(body[kind], _derive(f"{kind}:{len(self.table)}", 64), label)
        for request, response in exchanges:
            for obj in (_json_or_none(request.body), _json_or_none(response.body)):
                for found in _objects(obj):
                    self._learn_project_key(found)

    def _learn_project_key(self, obj: Mapping[str, Any]) -> None:
        from .. import crypto

        kind = wrapped_key_kind(obj)
        if kind == "symmetric":
            for token_key in self.token_keys:
                try:
                    key = crypto.decrypt_symmetric(obj["encryptedKey"], obj["iv"], obj["tag"], token_key)
                except CryptoError:
                    continue
                self._project_key(key)
                return
        elif kind == "box":
            for (public, private), _ in self.key_pairs:
                try:
                    key = crypto.decrypt_asymmetric(obj["encryptedKey"], obj["nonce"], public, private)
                except CryptoError:
                    continue
                self._project_key(key)
                return

    def _project_key(self, key: str) -> str:
        if key not in self.project_keys:
            self.project_keys[key] = _derive(f"project-key:{len(self.project_keys)}", 32)
            self._map(key, self.project_keys[key], "a project key")
        return self.project_keys[key]

    # ---- pass 2: rewrite

    def _decrypt(self, ct: Any, iv: Any, tag: Any) -> Optional[tuple[str, str]]:
        """(plaintext, fixture project key) of a triple, or None when no real key opens it."""
        from .. import crypto

        for real, fixture in self.project_keys.items():
            try:
                return crypto.decrypt_symmetric(ct, iv, tag, real), fixture
            except CryptoError:
                continue
        return None

    def _rewrap(self, obj: dict[str, Any], kind: str) -> None:
        from .. import crypto

        if kind == "symmetric":
            for real_key, fixture_key in self.token_keys.items():
                try:
                    key = crypto.decrypt_symmetric(obj["encryptedKey"], obj["iv"], obj["tag"], real_key)
                except CryptoError:
                    continue
                sealed = crypto.encrypt_symmetric(self._project_key(key), fixture_key)
                obj.update(encryptedKey=sealed.ciphertext, iv=sealed.iv, tag=sealed.tag)
                return
            # wrapped under a key no recorded credential holds: fixture material in its place
            sealed = crypto.encrypt_symmetric(_derive("unknown-project-key", 32), _derive("unknown-wrap", 32))
            obj.update(encryptedKey=sealed.ciphertext, iv=sealed.iv, tag=sealed.tag)
            return
        for (public, private), (fixture_public, fixture_private) in self.key_pairs:
            try:
                key = crypto.decrypt_asymmetric(obj["encryptedKey"], obj["nonce"], public, private)
            except CryptoError:
                continue
            boxed = crypto.encrypt_asymmetric(self._project_key(key), fixture_public, fixture_private)
            obj.update(encryptedKey=boxed.ciphertext, nonce=boxed.nonce)
            return
        public, private = _fixture_key_pair("unknown")
        boxed = crypto.encrypt_asymmetric(_derive("unknown-project-key", 32), public, private)
        obj.update(encryptedKey=boxed.ciphertext, nonce=boxed.nonce)

    def _plain(self, name: str, value: str, part: str, from_server: bool) -> str:
        """What a plaintext becomes: kept, test data, or a placeholder (remembering the real one)."""
        if not from_server:
            self.written.add(value)
            return value
        if not value or name in self.keep or value in self.written:
            return value
        self.replaced.setdefault(value, f"the {part} of secret {name!r}")
        return placeholder(name, part)

    def _ciphers(self, obj: dict[str, Any], from_server: bool) -> None:
        from .. import crypto

        opened: dict[str, tuple[str, str]] = {}
        for prefix in CIPHER_PREFIXES:
            names = (f"{prefix}Ciphertext", f"{prefix}IV", f"{prefix}Tag")
            if all(isinstance(obj.get(n), str) for n in names) and obj[names[1]]:
                got = self._decrypt(*(obj[n] for n in names))
                opened[prefix] = got if got is not None else ("", "")
        if not opened:
            return
        name = opened.get("secretKey", ("", ""))[0]
        for prefix, (text, key) in opened.items():
            if not key:  # no real key opens it: fixture material, with nothing real inside
                text, key = "", _derive("unknown-project-key", 32)
            elif prefix == "secretValue":
                text = self._plain(name, text, "value", from_server)
            elif prefix == "secretComment":
                text = self._plain(name, text, "comment", from_server)
            sealed = crypto.encrypt_symmetric(text, key)
            obj[f"{prefix}Ciphertext"], obj[f"{prefix}IV"], obj[f"{prefix}Tag"] = (
                sealed.ciphertext,
                sealed.iv,
                sealed.tag,
            )

    def _raw(self, obj: dict[str, Any], from_server: bool) -> None:
        name = obj.get("secretKey")
        if not isinstance(name, str):
            return
        for field, part in (("secretValue", "value"), ("secretComment", "comment")):
            if isinstance(obj.get(field), str):
                obj[field] = self._plain(name, obj[field], part, from_server)

    def rewrite_json(self, value: Any, from_server: bool) -> Any:
        if isinstance(value, dict):
            out = {self.sub(k): self.rewrite_json(v, from_server) for k, v in value.items()}
            kind = wrapped_key_kind(out)
            if kind is not None:
                self._rewrap(out, kind)
            self._ciphers(out, from_server)
            if from_server:
                self._raw(out, from_server)
            elif isinstance(out.get("secretValue"), str):  # a raw write: test data
                self.written.add(out["secretValue"])
                if isinstance(out.get("secretComment"), str):
                    self.written.add(out["secretComment"])
            return out
        if isinstance(value, list):
            return [self.rewrite_json(v, from_server) for v in value]
        if isinstance(value, str):
            return self.sub(value)
        return value

    def body(self, data: bytes, from_server: bool) -> Body:
        body = Body.from_bytes(data)
        if body.kind == "json":
            return Body("json", self.rewrite_json(body.value, from_server))
        if body.kind == "text":
            return Body("text", self.sub(str(body.value)))
        return body

    def request(self, request: Request) -> RecordedRequest:
        headers = [(k, self.sub(v)) for k, v in request.headers.raw_items() if k.lower() in _REQUEST_HEADERS]
        body = self.body(request.body, from_server=False)
        return RecordedRequest(method=request.method, url=self.sub(request.url), headers=headers, body=body)

    def response(self, response: Response) -> RecordedResponse:
        body = self.body(response.body, from_server=True)
        headers = []
        for k, v in response.headers.raw_items():
            low = k.lower()
            if low in _DROPPED_RESPONSE_HEADERS:
                continue
            if low == "etag":
                v = _etag(body.to_bytes())
            headers.append((k, self.sub(v)))
        return RecordedResponse(status=response.status, headers=headers, body=body)

    def real_material(self) -> tuple[tuple[str, str], ...]:
        found = [(label, real) for real, label in self.real_labels.items()]
        found += [(label, value) for value, label in self.replaced.items() if value not in self.written]
        return tuple(found)


def _etag(body: bytes) -> str:
    digest = base64.b64encode(hashlib.sha1(body).digest()).decode("ascii")[:27]  # noqa: S324 - Express's ETag
    return f'W/"{len(body):x}-{digest}"'


def _json_or_none(data: bytes) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None


def _objects(value: Any) -> Iterable[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from _objects(v)


def _strings_of(request: Request, response: Response) -> Iterable[str]:
    yield request.url
    for headers in (request.headers, response.headers):
        for _, value in headers.raw_items():
            yield value
    for data in (request.body, response.body):
        if data:
            yield data.decode("utf-8", errors="replace")


def _auth_modes(interactions: Sequence[Interaction]) -> list[str]:
    modes = set()
    for interaction in interactions:
        mode = detect_auth_mode(interaction.request.headers)
        if mode is not None:
            modes.add(mode)
        if api_path(Request("GET", interaction.request.url).path) == "/api/v1/auth/universal-auth/login":
            modes.add("machine_identity")
    return sorted(modes)


def rekey(
    exchanges: Sequence[tuple[Request, Response]],
    credentials: RealCredentials,
    *,
    keep: Iterable[str] = (),
    meta: Optional[Meta] = None,
    stamp: Optional[Callable[[Meta], Meta]] = None,
) -> Rekeyed:
    """Re-key recorded ``(request, response)`` pairs (in the order they happened) into a cassette."""
    rekeyer = _Rekeyer(credentials, keep)
    rekeyer.learn(exchanges)
    interactions = []
    for request, response in exchanges:
        recorded_request = rekeyer.request(request)
        interactions.append(Interaction(recorded_request, rekeyer.response(response)))
    base = meta or Meta()
    base = attrs.evolve(base, auth_modes=_auth_modes(interactions), url=rekeyer.sub(base.url))
    cassette = Cassette(
        interactions=interactions,
        fixture=Fixture(
            credentials=rekeyer.fixture_credentials,
            issued=rekeyer.issued,
            project_keys=list(rekeyer.project_keys.values()),
        ),
        meta=stamp(base) if stamp else base,
    )
    return Rekeyed(cassette=cassette, real=rekeyer.real_material())
