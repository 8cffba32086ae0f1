"""Credential types: formats, headers, parse errors that say what is wrong, and no leaks."""

from __future__ import annotations

import re
from typing import Callable

import pytest

from pytest_infisical.credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken
from pytest_infisical.errors import CredentialFormatError

ID = "64a0c3e2f1b4a5d6e7f80912"
SECRET = "5ec7e75ec7e75ec7e75ec7e75ec7e75e"
KEY = "fedcba9876543210fedcba9876543210"
TOKEN = f"st.{ID}.{SECRET}.{KEY}"
PUBLIC = "B6N8vBQgk8i3VdwbEOhstCY3StFqqFPtC9/AsrhtHHw="
PRIVATE = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="


def test_service_token_parts_and_headers() -> None:
    token = ServiceToken.parse(TOKEN)
    assert (token.id, token.secret, token.key) == (ID, SECRET, KEY)
    assert token.token == TOKEN
    assert token.bearer == f"st.{ID}.{SECRET}"
    assert token.headers == {"Authorization": f"Bearer st.{ID}.{SECRET}"}


def test_generated_service_token_matches_the_legacy_sdk_regex() -> None:
    # infisical-python 1.x: fullmatch of this regex, lowercase hex only
    legacy = re.compile(r"(st\.[a-f0-9]+\.[a-f0-9]+)\.([a-f0-9]+)")
    token = ServiceToken.generate()
    match = legacy.fullmatch(token.token)
    assert match is not None and match.group(1) == token.bearer and match.group(2) == token.key
    assert len(token.token) == 93


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            f"st.{ID}.{SECRET}",
            r"^service token has 3 dot-separated parts; expected 4 \('st.<24 hex id>.<32 hex secret>.<32 hex key>'\): the last part, the key, is missing",
        ),
        (f"st.{ID}.{SECRET}.{KEY}.extra", r"^service token has 5 dot-separated parts; expected 4"),
        (
            f"ak.{ID}.{SECRET}",
            r"^service token must start with 'st\.' \('st\.<24 hex id>\.<32 hex secret>\.<32 hex key>'\); it starts with 'ak\.' - that is an API key$",
        ),
        (f"Bearer st.{ID}.{SECRET}.{KEY}", r"^service token contains whitespace"),
        (
            TOKEN + "\n",
            r"^service token contains whitespace \(a trailing newline from a file or an environment variable\?\); strip it before use$",
        ),
        (
            f"st.{ID.upper()}.{SECRET}.{KEY}",
            r"^service token: the id part has upper-case letters; Infisical issues lowercase hex and its SDKs reject upper case$",
        ),
        (
            f"st.{ID}.{SECRET[:-1]}z.{KEY}",
            r"^service token: the secret part must be 32 lowercase hex characters; it has other characters$",
        ),
        (
            f"st.{ID}.{SECRET}.{KEY[:-2]}",
            r"^service token: the key part is 30 characters; expected 32 lowercase hex characters$",
        ),
        (f"st..{SECRET}.{KEY}", r"^service token: the id part is empty$"),
        ("", r"^service token is empty$"),
        (
            "xyz",
            r"^service token must start with 'st\.' \('st\.<24 hex id>\.<32 hex secret>\.<32 hex key>'\); it starts with something else$",
        ),
    ],
)
def test_malformed_service_tokens_say_what_is_wrong_without_echoing_secrets(text: str, message: str) -> None:
    with pytest.raises(CredentialFormatError, match=message) as info:
        ServiceToken.parse(text)
    assert SECRET not in str(info.value) and KEY not in str(info.value)


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(CredentialFormatError, match=r"^service token must be a str, got bytes$"):
        ServiceToken.parse(TOKEN.encode())  # type: ignore[arg-type]


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(CredentialFormatError, match="the key part is 3 characters"):
        ServiceToken(id=ID, secret=SECRET, key="abc")


@pytest.mark.parametrize("credential", [ServiceToken.parse(TOKEN), ApiKey(id=ID, secret=SECRET)])
def test_repr_and_str_never_show_a_secret_part(credential: object) -> None:
    for shown in (repr(credential), str(credential), f"{credential}", f"{credential!r}"):
        assert SECRET not in shown and KEY not in shown
    assert str(credential).endswith("…(redacted)")


def test_service_token_redacted_forms() -> None:
    token = ServiceToken.parse(TOKEN)
    assert str(token) == "st.64a0…(redacted)"
    assert repr(token) == f"ServiceToken(id='{ID}', secret=<redacted>, key=<redacted>)"


def test_api_key_format_and_header() -> None:
    key = ApiKey.parse(f"ak.{ID}.{SECRET}")
    assert key.value == f"ak.{ID}.{SECRET}"
    assert key.headers == {"X-API-KEY": key.value}
    assert str(key) == "ak.64a0…(redacted)"
    assert re.fullmatch(r"ak\.[0-9a-f]{24}\.[0-9a-f]{32}", ApiKey.generate().value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"ak.{ID}", r"^API key has 2 dot-separated parts; expected 3"),
        (
            TOKEN,
            r"^API key must start with 'ak\.' \('ak\.<24 hex id>\.<32 hex secret>'\); it starts with 'st\.' - that is a service token$",
        ),
        (f"ak.{ID}.{SECRET.upper()}", r"^API key: the secret part has upper-case letters"),
    ],
)
def test_malformed_api_keys(text: str, message: str) -> None:
    with pytest.raises(CredentialFormatError, match=message):
        ApiKey.parse(text)


def test_service_account_access_key_carries_its_id_in_base64() -> None:
    account = ServiceAccount.generate(public_key=PUBLIC, private_key=PRIVATE, id=ID)
    prefix, id_part, secret_part = account.access_key.split(".")
    assert prefix == "sa" and len(id_part) == 16 and len(secret_part) == 24 and secret_part.endswith("==")
    assert account.id == ID
    assert account.headers == {"Authorization": f"Bearer {account.access_key}"}
    for shown in (repr(account), str(account)):
        assert secret_part not in shown and PRIVATE not in shown
    assert PUBLIC in repr(account)


@pytest.mark.parametrize(
    ("access_key", "message"),
    [
        ("sa.ZKDD4vG0pdbn+AkS", r"^service-account access key has 2 dot-separated parts; expected 3"),
        (
            "sa.ZKDD.AAAAAAAAAAAAAAAAAAAAAA==",
            r"^service-account access key: the id part decodes to 3 bytes; expected 12",
        ),
        ("sa.ZKDD4vG0pdbn+AkS.***", r"^service-account access key: the secret part is not standard base64$"),
        ("st.ZKDD4vG0pdbn+AkS.AAAAAAAAAAAAAAAAAAAAAA==", r"^service-account access key must start with 'sa.'"),
    ],
)
def test_malformed_service_account_keys(access_key: str, message: str) -> None:
    with pytest.raises(CredentialFormatError, match=message):
        ServiceAccount(access_key=access_key, public_key=PUBLIC, private_key=PRIVATE)


def test_machine_identity_login_body_and_repr() -> None:
    identity = MachineIdentity(client_id="a1b2c3d4-0000-4000-8000-000000000001", client_secret="s" * 64)
    assert identity.login_body == {"clientId": identity.client_id, "clientSecret": "s" * 64}
    assert "s" * 64 not in repr(identity) and "s" * 64 not in str(identity)
    with pytest.raises(CredentialFormatError, match=r"^machine identity client_secret is empty$"):
        MachineIdentity(client_id="x", client_secret="")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": "zz"}, "service account: the id must be 24 lowercase hex characters; it has other characters"),
        ({"id": "ab"}, "service account: the id is 2 characters; expected 24 lowercase hex characters"),
        ({"id": 7}, "service account: the id must be a str, got int"),
        ({"public_key": None}, "service account: the public_key must be a str, got NoneType"),
        (
            {"public_key": "AAEC"},
            "service account: the public_key decodes to 3 bytes; expected 32 (a NaCl box key: "
            "32 bytes as standard base64, 44 characters ending in '=')",
        ),
        ({"private_key": "not base64!"}, "service account: the private_key is not standard base64"),
        ({"private_key": ""}, "service account: the private_key is empty"),
    ],
)
def test_service_account_generate_checks_its_inputs(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"public_key": PUBLIC, "private_key": PRIVATE, **kwargs}
    with pytest.raises(CredentialFormatError) as info:
        ServiceAccount.generate(**arguments)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_machine_identity_checks_its_identity_id() -> None:
    assert MachineIdentity(client_id="x", client_secret="y", identity_id="id-1").identity_id == "id-1"
    with pytest.raises(CredentialFormatError) as info:
        MachineIdentity(client_id="x", client_secret="y", identity_id=5)  # type: ignore[arg-type]
    assert str(info.value) == "machine identity identity_id must be a str or None, got int"


def test_service_token_generate_uses_the_id_and_key_it_is_given() -> None:
    token = ServiceToken.generate(id=ID, key=KEY)
    assert (token.id, token.key) == (ID, KEY)
    assert re.fullmatch(r"[0-9a-f]{32}", token.secret)
    assert token.token == f"st.{ID}.{token.secret}.{KEY}"
    other = ServiceToken.generate()
    assert other.id != ID and other.key != KEY and other.secret != token.secret


def test_api_key_generate_uses_the_id_it_is_given() -> None:
    key = ApiKey.generate(id=ID)
    assert key.id == ID
    assert re.fullmatch(r"[0-9a-f]{32}", key.secret)
    assert ApiKey.generate().id != ID


# The exact part lengths of every credential kind: one character (or byte) more or less is malformed.
_ST_PARTS = {"id": (ID, 24), "secret": (SECRET, 32), "key": (KEY, 32)}


@pytest.mark.parametrize("part", ["id", "secret", "key"])
@pytest.mark.parametrize("delta", [-1, 1])
def test_service_token_part_lengths_are_exact(part: str, delta: int) -> None:
    value, length = _ST_PARTS[part]
    parts = {name: v for name, (v, _) in _ST_PARTS.items()}
    parts[part] = value[: length - 1] if delta < 0 else value + "a"
    text = f"st.{parts['id']}.{parts['secret']}.{parts['key']}"
    with pytest.raises(CredentialFormatError) as info:
        ServiceToken.parse(text)
    assert str(info.value) == (
        f"service token: the {part} part is {length + delta} characters; expected {length} lowercase hex characters"
    )


@pytest.mark.parametrize(("part", "length"), [("id", 24), ("secret", 32)])
@pytest.mark.parametrize("delta", [-1, 1])
def test_api_key_part_lengths_are_exact(part: str, length: int, delta: int) -> None:
    parts = {"id": ID, "secret": SECRET}
    parts[part] = parts[part][: length - 1] if delta < 0 else parts[part] + "a"
    with pytest.raises(CredentialFormatError) as info:
        ApiKey.parse(f"ak.{parts['id']}.{parts['secret']}")
    assert str(info.value) == (
        f"API key: the {part} part is {length + delta} characters; expected {length} lowercase hex characters"
    )


def _b64(size: int) -> str:
    import base64

    return base64.b64encode(bytes(range(1, size + 1))).decode()


@pytest.mark.parametrize(("part", "size"), [("id", 12), ("secret", 16)])
@pytest.mark.parametrize("delta", [-1, 1])
def test_service_account_part_sizes_are_exact(part: str, size: int, delta: int) -> None:
    parts = {"id": _b64(12), "secret": _b64(16)}
    parts[part] = _b64(size + delta)
    with pytest.raises(CredentialFormatError) as info:
        ServiceAccount(access_key=f"sa.{parts['id']}.{parts['secret']}", public_key=PUBLIC, private_key=PRIVATE)
    assert str(info.value) == (
        f"service-account access key: the {part} part decodes to {size + delta} bytes; expected {size} "
        "('sa.<base64 id>.<base64 secret>')"
    )


@pytest.mark.parametrize("name", ["public_key", "private_key"])
@pytest.mark.parametrize("size", [31, 33])
def test_service_account_key_pair_sizes_are_exact(name: str, size: int) -> None:
    keys = {"public_key": PUBLIC, "private_key": PRIVATE, name: _b64(size)}
    with pytest.raises(CredentialFormatError) as info:
        ServiceAccount(access_key=f"sa.{_b64(12)}.{_b64(16)}", **keys)
    assert str(info.value) == (
        f"service account: the {name} decodes to {size} bytes; expected 32 "
        "(a NaCl box key: 32 bytes as standard base64, 44 characters ending in '=')"
    )


def test_the_exact_lengths_are_accepted() -> None:
    assert len(ServiceToken.parse(TOKEN).token) == 93
    assert ApiKey.parse(f"ak.{ID}.{SECRET}").value == f"ak.{ID}.{SECRET}"
    account = ServiceAccount(access_key=f"sa.{_b64(12)}.{_b64(16)}", public_key=PUBLIC, private_key=PRIVATE)
    assert account.id == bytes(range(1, 13)).hex()
    assert account.secret == _b64(16)
    unpadded = ServiceAccount(
        access_key=f"sa.{_b64(12)}.{_b64(16).rstrip('=')}", public_key=PUBLIC, private_key=PRIVATE
    )
    assert unpadded.secret == _b64(16).rstrip("=")


def test_service_account_str_and_repr_are_pinned() -> None:
    account = ServiceAccount(access_key=f"sa.{_b64(12)}.{_b64(16)}", public_key=PUBLIC, private_key=PRIVATE)
    assert str(account) == "sa.AQID…(redacted)"
    assert repr(account) == (
        f"ServiceAccount(id='0102030405060708090a0b0c', access_key=<redacted>, public_key='{PUBLIC}', "
        "private_key=<redacted>)"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("client_id", "", "machine identity client_id is empty"),
        ("client_id", None, "machine identity client_id must be a str, got NoneType"),
        ("client_id", "a b", "machine identity client_id contains whitespace"),
        ("client_secret", "", "machine identity client_secret is empty"),
        ("client_secret", 7, "machine identity client_secret must be a str, got int"),
    ],
)
def test_machine_identity_checks_its_client_id_and_secret(field: str, value: object, message: str) -> None:
    kwargs = {"client_id": "a1b2c3d4-0000-4000-8000-000000000001", "client_secret": "s" * 64, field: value}
    with pytest.raises(CredentialFormatError) as info:
        MachineIdentity(**kwargs)  # type: ignore[arg-type]
    assert str(info.value).split(" (")[0] == message


_ST_START = "service token must start with 'st.' ('st.<24 hex id>.<32 hex secret>.<32 hex key>'); it starts with"


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (ApiKey.parse, "", "API key is empty"),
        (
            ApiKey.parse,
            "ak.x",
            "API key has 2 dot-separated parts; expected 3 ('ak.<24 hex id>.<32 hex secret>'): a part is missing",
        ),
        (
            ApiKey.parse,
            "sa.x.y",
            "API key must start with 'ak.' ('ak.<24 hex id>.<32 hex secret>'); it starts with 'sa.' - that is a "
            "service-account access key",
        ),
        (ServiceToken.parse, "st", f"{_ST_START} something else"),
        (ServiceToken.parse, "abc.x", f"{_ST_START} 'abc.'"),
        (ServiceToken.parse, "abcd.x", f"{_ST_START} something else"),
        (lambda text: ServiceAccount(text, PUBLIC, PRIVATE), "", "service-account access key is empty"),
        (
            lambda text: ServiceAccount(text, PUBLIC, PRIVATE),
            "sa.x",
            "service-account access key has 2 dot-separated parts; expected 3 ('sa.<base64 id>.<base64 secret>'): "
            "a part is missing",
        ),
        (
            lambda text: ServiceAccount(text, PUBLIC, PRIVATE),
            "ak.x.y",
            "service-account access key must start with 'sa.' ('sa.<base64 id>.<base64 secret>'); it starts with "
            "'ak.' - that is an API key",
        ),
        (
            lambda text: ServiceAccount(text, PUBLIC, PRIVATE),
            "sa.AAAAA.AAAA",
            "service-account access key: the id part is not standard base64",
        ),
    ],
)
def test_parse_messages_are_pinned_whole(parse: Callable[[str], object], text: str, message: str) -> None:
    with pytest.raises(CredentialFormatError) as info:
        parse(text)
    assert str(info.value) == message


def test_a_key_pair_half_that_is_not_text() -> None:
    with pytest.raises(CredentialFormatError) as info:
        ServiceAccount(f"sa.{_b64(12)}.{_b64(16)}", 7, PRIVATE)  # type: ignore[arg-type]
    assert str(info.value) == "service account: the public_key must be a str, got int"
