"""A machine identity's JWT is read whatever the length of its payload (base64url carries no padding)."""

from __future__ import annotations

import base64
import json

from pytest_infisical.credential_headers import jwt_claims


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_claims_of_every_unpadded_payload_length() -> None:
    # The padding a decoder must restore depends on the payload's length modulo 4, and a wrong
    # modulus shows only at some lengths (one modulo 20 for "% 5"): try thirty consecutive sizes.
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    lengths = set()
    for size in range(30):
        claims = {"identityId": "x" * size, "authTokenType": "identityAccessToken"}
        payload = _b64url(json.dumps(claims).encode())
        lengths.add(len(payload) % 20)
        assert jwt_claims(f"{header}.{payload}.c2lnbmF0dXJl") == claims, size
    # every length an unpadded base64url text can have (never 1 modulo 4) was tried, modulo 20
    assert lengths == {n for n in range(20) if n % 4 != 1}
