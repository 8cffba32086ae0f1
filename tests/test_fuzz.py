"""Property tests: whatever a public parser or crypto helper is given, only the package's errors escape.

Each helper is fed arbitrary values (JSON-like data, bytes, text with lone surrogates) and
near-valid ones (a valid token, key or field with a few characters changed). Whatever it does,
it either returns or raises an :class:`InfisicalTestingError` with a message that does not echo
the secret material it was given; any other exception fails the test.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any, Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_infisical import crypto
from pytest_infisical.credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken
from pytest_infisical.errors import CryptoError, InfisicalTestingError
from pytest_infisical.redact import fingerprint, redact, redact_url

#: examples per property; PYTEST_INFISICAL_FUZZ_EXAMPLES=2000 searches harder (minutes, not seconds)
FUZZ = settings(
    max_examples=int(os.environ.get("PYTEST_INFISICAL_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# every code point, and lone surrogates (which UTF-8 cannot encode) often enough to matter
ANY_CHAR = st.characters() | st.integers(0, 0x10FFFF).map(chr) | st.integers(0xD800, 0xDFFF).map(chr)


def _texts(chars: st.SearchStrategy[str], min_size: int = 0, max_size: int = 60) -> st.SearchStrategy[str]:
    """Text from ``chars``; built from a list because ``st.text`` never draws a lone surrogate."""
    return st.lists(chars, min_size=min_size, max_size=max_size).map("".join)


ANY_TEXT = _texts(ANY_CHAR)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT | st.binary(max_size=40)
JUNK = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4), max_leaves=8
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@st.composite
def _near(draw: st.DrawFn, valid: st.SearchStrategy[str]) -> str:
    """A valid value with a few characters replaced, inserted or cut."""
    text = draw(valid)
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 4)))
    insert = draw(_texts(ANY_CHAR | st.sampled_from(".=+/ aF0"), max_size=3))
    return text[:start] + insert + text[end:]


def _maybe_broken(valid: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return valid | _near(valid) | JUNK


TOKENS = st.from_regex(r"st\.[0-9a-f]{24}\.[0-9a-f]{32}\.[0-9a-f]{32}", fullmatch=True)
API_KEYS = st.from_regex(r"ak\.[0-9a-f]{24}\.[0-9a-f]{32}", fullmatch=True)
HEX_24 = st.from_regex(r"[0-9a-f]{24}", fullmatch=True)
HEX_32 = st.from_regex(r"[0-9a-f]{32}", fullmatch=True)
ACCESS_KEYS = st.builds(
    lambda i, s: f"sa.{_b64(i)}.{_b64(s)}", st.binary(min_size=12, max_size=12), st.binary(min_size=16, max_size=16)
)
NACL_KEYS = st.binary(min_size=32, max_size=32).map(_b64)  # all zeros, a low-order point, comes up early
B64 = st.binary(max_size=48).map(_b64)
IVS = st.sampled_from([12, 16]).flatmap(lambda n: st.binary(min_size=n, max_size=n)).map(_b64)
TAGS = st.binary(min_size=16, max_size=16).map(_b64)
PROJECT_KEYS = _maybe_broken(HEX_32) | _texts(ANY_CHAR, min_size=32, max_size=32)
PAIR = crypto.generate_key_pair()
PROJECT_KEY = crypto.generate_project_key()


def _only_own_errors(function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Call ``function``: it returns, or raises the package's error with a message that hides secrets."""
    try:
        function(*args, **kwargs)
    except InfisicalTestingError as error:
        _check_error(error, [v for v in (*args, *kwargs.values()) if isinstance(v, str)])


def _check_error(error: InfisicalTestingError, given_strings: list[str]) -> None:
    message = str(error)
    assert message
    if isinstance(error, CryptoError):
        assert error.field
    for value in given_strings:  # long enough not to match a word of the message by chance
        if len(value) >= 12 and not value.startswith(("st.", "ak.", "sa.")):
            assert value not in message
        for part in value.split(".")[2:]:  # a credential's secret and key parts
            assert len(part) < 12 or part not in message


# ---- credentials ------------------------------------------------------------------------------


@FUZZ
@given(text=_maybe_broken(TOKENS | API_KEYS | ACCESS_KEYS))
def test_credential_parsers(text: Any) -> None:
    _only_own_errors(ServiceToken.parse, text)
    _only_own_errors(ApiKey.parse, text)
    _only_own_errors(ServiceAccount, access_key=text, public_key=PAIR.public_key, private_key=PAIR.private_key)


@FUZZ
@given(id_=_maybe_broken(HEX_24), secret=_maybe_broken(HEX_32), key=_maybe_broken(HEX_32), other=_maybe_broken(HEX_32))
def test_credential_constructors_and_generators(id_: Any, secret: Any, key: Any, other: Any) -> None:
    _only_own_errors(ApiKey, id=id_, secret=secret)
    _only_own_errors(ServiceToken, id=id_, secret=secret, key=key)
    _only_own_errors(ApiKey.generate, id=id_)
    _only_own_errors(ServiceToken.generate, id=id_, key=key)
    _only_own_errors(MachineIdentity, client_id=secret, client_secret=key, identity_id=other)


@FUZZ
@given(public_key=_maybe_broken(NACL_KEYS), private_key=_maybe_broken(NACL_KEYS), id_=_maybe_broken(HEX_24))
def test_service_account_key_pairs(public_key: Any, private_key: Any, id_: Any) -> None:
    _only_own_errors(ServiceAccount.generate, public_key, private_key, id=id_)
    _only_own_errors(
        ServiceAccount,
        access_key="sa.ZKDD4vG0pdbn+AkS.AAAAAAAAAAAAAAAAAAAAAA==",
        public_key=public_key,
        private_key=private_key,
    )


@FUZZ
@given(value=JUNK | _near(TOKENS))
def test_redaction_never_fails(value: Any) -> None:
    shown = redact(value)
    assert isinstance(shown, str)
    if isinstance(value, (str, bytes)):
        assert fingerprint(value).startswith("sha256:")


@FUZZ
@given(url=ANY_TEXT | _near(st.just("https://u:p@[::1]:8080/api/v3/secrets?environment=dev&token=st.abc#x")))
def test_url_redaction_never_fails(url: str) -> None:
    assert isinstance(redact_url(url), str)


# ---- crypto -----------------------------------------------------------------------------------


@FUZZ
@given(plaintext=ANY_TEXT | JUNK, key=PROJECT_KEYS)
def test_symmetric_encryption(plaintext: Any, key: Any) -> None:
    _only_own_errors(crypto.encrypt_symmetric, plaintext, key)
    _only_own_errors(crypto.wrap_project_key_for_service_token, plaintext, key)
    _only_own_errors(crypto.encrypt_secret, plaintext, plaintext, key, comment=plaintext)


@FUZZ
@given(ciphertext=_maybe_broken(B64), iv=_maybe_broken(IVS), tag=_maybe_broken(TAGS), key=PROJECT_KEYS)
def test_symmetric_decryption(ciphertext: Any, iv: Any, tag: Any, key: Any) -> None:
    _only_own_errors(crypto.decrypt_symmetric, ciphertext, iv, tag, key)


@FUZZ
@given(plaintext=ANY_TEXT | JUNK, public_key=_maybe_broken(NACL_KEYS), private_key=_maybe_broken(NACL_KEYS))
def test_asymmetric_encryption(plaintext: Any, public_key: Any, private_key: Any) -> None:
    _only_own_errors(crypto.encrypt_asymmetric, plaintext, public_key, private_key)
    _only_own_errors(crypto.wrap_project_key_for_service_account, plaintext, public_key, private_key)


@FUZZ
@given(
    ciphertext=_maybe_broken(B64),
    nonce=_maybe_broken(st.binary(min_size=24, max_size=24).map(_b64)),
    public_key=_maybe_broken(NACL_KEYS),
    private_key=_maybe_broken(NACL_KEYS),
)
def test_asymmetric_decryption(ciphertext: Any, nonce: Any, public_key: Any, private_key: Any) -> None:
    _only_own_errors(crypto.decrypt_asymmetric, ciphertext, nonce, public_key, private_key)
    record = {"encryptedKey": ciphertext, "nonce": nonce}
    _only_own_errors(crypto.unwrap_project_key_for_service_account, record, public_key, private_key)


@FUZZ
@given(
    document=st.fixed_dictionaries(
        {"encryptedKey": _maybe_broken(B64), "iv": _maybe_broken(IVS), "tag": _maybe_broken(TAGS)}
    )
    | JUNK,
    token=_maybe_broken(TOKENS),
)
def test_service_token_unwrapping(document: Any, token: Any) -> None:
    _only_own_errors(crypto.unwrap_project_key_for_service_token, document, token)


def _encrypted_secret(name: str, value: str) -> dict[str, Any]:
    return crypto.encrypt_secret(name, value, PROJECT_KEY).to_dict()


VALID_SECRET = _encrypted_secret("NAME", "value")
SECRET_OBJECTS = st.one_of(
    st.fixed_dictionaries({}, optional={name: _maybe_broken(B64) for name in VALID_SECRET}),
    st.fixed_dictionaries(
        {name: st.just(v) for name, v in VALID_SECRET.items()}, optional={"type": JUNK, "id": JUNK, "version": JUNK}
    ),
    st.sampled_from(sorted(VALID_SECRET)).flatmap(
        lambda name: _near(st.just(VALID_SECRET[name])).map(lambda broken: {**VALID_SECRET, name: broken})
    ),
    JUNK,
)


@FUZZ
@given(secret=SECRET_OBJECTS, key=PROJECT_KEYS | st.just(PROJECT_KEY))
def test_one_secret(secret: Any, key: Any) -> None:
    _only_own_errors(crypto.decrypt_secret, secret, key)


RESPONSES = st.one_of(
    st.fixed_dictionaries(
        {"secrets": st.lists(SECRET_OBJECTS, max_size=3) | JUNK},
        optional={
            "imports": st.lists(
                st.fixed_dictionaries({"secrets": st.lists(SECRET_OBJECTS, max_size=2)}) | JUNK, max_size=2
            )
            | JUNK
        },
    ),
    st.lists(SECRET_OBJECTS, max_size=3),
    JUNK,
)
JSON_TEXTS = st.one_of(
    RESPONSES.map(lambda r: json.dumps(r, default=repr)),
    _near(RESPONSES.map(lambda r: json.dumps(r, default=repr))),
    st.integers(0, 5000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(0, 5000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
    st.binary(max_size=40),
)


@FUZZ
@given(response=RESPONSES | JSON_TEXTS, key=PROJECT_KEYS | st.just(PROJECT_KEY))
def test_whole_responses_with_a_project_key(response: Any, key: Any) -> None:
    _only_own_errors(crypto.decrypt_secrets, response, project_key=key)


@FUZZ
@given(
    response=RESPONSES,
    token=_maybe_broken(TOKENS),
    document=JUNK,
    account=JUNK | st.just(PAIR),
    record=JUNK,
    key=st.none() | PROJECT_KEYS,
)
def test_whole_responses_with_a_credential(
    response: Any, token: Any, document: Any, account: Any, record: Any, key: Any
) -> None:
    _only_own_errors(crypto.decrypt_secrets, response, service_token=token, service_token_data=document)
    _only_own_errors(crypto.decrypt_secrets, response, service_account=account, key_record=record)
    _only_own_errors(crypto.decrypt_secrets, response, project_key=key, service_token=token, key_record=record)


# ---- seeds ------------------------------------------------------------------------------------
SLUGS = st.sampled_from(["dev", "staging", "prod"]) | ANY_TEXT
NAMES = st.sampled_from(["A", "DB_PASSWORD"]) | ANY_TEXT
FOLDERS = st.sampled_from(["/", "/backend"]) | ANY_TEXT
SEED_SECRETS = st.one_of(
    st.dictionaries(NAMES, ANY_TEXT, max_size=3),
    st.dictionaries(
        SLUGS, st.dictionaries(FOLDERS, st.dictionaries(NAMES, ANY_TEXT | JUNK, max_size=3), max_size=2), max_size=3
    ),
    JUNK,
)
SEED_PROJECTS = st.fixed_dictionaries(  # well typed: the fuzzing reaches the fake
    {},
    optional={
        "name": ANY_TEXT,
        "e2ee": st.booleans(),
        "environments": st.lists(SLUGS, min_size=1, max_size=4),
        "secrets": SEED_SECRETS,
    },
) | st.fixed_dictionaries(
    {},
    optional={"name": JUNK, "e2ee": JUNK, "environments": JUNK, "secrets": JUNK, "colour": JUNK},
)
SEEDS = st.fixed_dictionaries({"projects": st.lists(SEED_PROJECTS, min_size=1, max_size=3)}) | JUNK


@FUZZ
@given(data=SEEDS)
def test_seed_data(data: Any) -> None:
    from pytest_infisical.seed import build_fake, normalize_secrets

    if isinstance(data, dict) and isinstance(data.get("projects"), list) and data["projects"]:
        _only_own_errors(build_fake, data)
    _only_own_errors(normalize_secrets, data)


@FUZZ
@given(
    content=st.binary(max_size=200)
    | SEEDS.map(lambda seed: json.dumps(seed, default=repr).encode("utf-8", "surrogatepass"))
    | _near(SEEDS.map(lambda seed: json.dumps(seed, default=repr))).map(lambda t: t.encode("utf-8", "surrogatepass")),
    suffix=st.sampled_from([".json", ".yaml"]),
)
def test_seed_files(tmp_path_factory: Any, content: bytes, suffix: str) -> None:
    from pytest_infisical.seed import load_seed

    file = tmp_path_factory.mktemp("seed") / f"seed{suffix}"
    file.write_bytes(content)
    _only_own_errors(load_seed, file)
