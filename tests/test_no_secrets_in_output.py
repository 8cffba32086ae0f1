"""pytest's failure output never shows the secret material given to a credential or crypto helper.

pytest prints the arguments of the frame that raised (default output), every frame's arguments
(``--tb=long``) and every frame's locals (``-l``). Each test in the generated file below calls one
public function of ``credentials`` or ``crypto`` with secret material so that it fails; the
secrets are module globals of that file, so only the package's own frames could show them.
"""

from __future__ import annotations

import secrets

import pytest

from pytest_infisical import crypto

ID = secrets.token_hex(12)
SECRET = secrets.token_hex(16)
KEY = secrets.token_hex(16)
SHORT_KEY = secrets.token_hex(16)[:31]
OTHER_SECRET = secrets.token_hex(16)
OTHER_KEY = secrets.token_hex(16)
API_SECRET = secrets.token_hex(16).upper()
PROJECT_KEY = crypto.generate_project_key()
WRONG_PROJECT_KEY = crypto.generate_project_key()
SHORT_PROJECT_KEY = secrets.token_hex(15)
PAIR = crypto.generate_key_pair()
OTHER_PAIR = crypto.generate_key_pair()
PLAINTEXT = f"plaintext-{secrets.token_hex(8)}"
CLIENT_SECRET = secrets.token_hex(32)
ACCESS_SECRET = "dGhpcyBpcyBzZWNyZXQ="  # base64 of 14 bytes: one of the access key's two faults
LOW_ORDER_PUBLIC_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

#: every string that must never appear in the output
SECRET_STRINGS = [
    SECRET,
    KEY,
    SHORT_KEY,
    OTHER_SECRET,
    OTHER_KEY,
    API_SECRET,
    PROJECT_KEY,
    WRONG_PROJECT_KEY,
    SHORT_PROJECT_KEY,
    PAIR.private_key,
    OTHER_PAIR.private_key,
    PLAINTEXT,
    CLIENT_SECRET,
    ACCESS_SECRET,
]

TEST_FILE = f"""
from pytest_infisical import crypto
from pytest_infisical.credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken

ID = {ID!r}
SECRET = {SECRET!r}
KEY = {KEY!r}
SHORT_KEY = {SHORT_KEY!r}
API_KEY = "ak." + ID + "." + {API_SECRET!r}
BAD_TOKEN = "st." + ID + "." + SECRET + "." + SHORT_KEY
WRONG_TOKEN = "st." + ID + "." + {OTHER_SECRET!r} + "." + {OTHER_KEY!r}
PROJECT_KEY = {PROJECT_KEY!r}
WRONG_PROJECT_KEY = {WRONG_PROJECT_KEY!r}
SHORT_PROJECT_KEY = {SHORT_PROJECT_KEY!r}
PUBLIC_KEY = {PAIR.public_key!r}
PRIVATE_KEY = {PAIR.private_key!r}
OTHER_PUBLIC_KEY = {OTHER_PAIR.public_key!r}
OTHER_PRIVATE_KEY = {OTHER_PAIR.private_key!r}
PLAINTEXT = {PLAINTEXT!r}
CLIENT_SECRET = {CLIENT_SECRET!r}
ACCESS_KEY = "sa.ZKDD4vG0pdbn+AkS." + {ACCESS_SECRET!r}
LOW_ORDER = {LOW_ORDER_PUBLIC_KEY!r}

CIPHER = crypto.encrypt_symmetric(PLAINTEXT, PROJECT_KEY)
BOX = crypto.encrypt_asymmetric(PLAINTEXT, PUBLIC_KEY, PRIVATE_KEY)
WRAPPED = crypto.wrap_project_key_for_service_token(PROJECT_KEY, KEY)
TOKEN_DOCUMENT = {{"encryptedKey": WRAPPED.ciphertext, "iv": WRAPPED.iv, "tag": WRAPPED.tag}}
BOXED = crypto.wrap_project_key_for_service_account(PROJECT_KEY, PUBLIC_KEY, PRIVATE_KEY)
KEY_RECORD = {{"encryptedKey": BOXED.ciphertext, "nonce": BOXED.nonce}}
SECRET_OBJECT = crypto.encrypt_secret("DB_PASSWORD", PLAINTEXT, PROJECT_KEY).to_dict()
RESPONSE = {{"secrets": [SECRET_OBJECT]}}
WRONG_ACCOUNT = crypto.KeyPair(public_key=OTHER_PUBLIC_KEY, private_key=OTHER_PRIVATE_KEY)

def test_service_token_parse():
    ServiceToken.parse(BAD_TOKEN)

def test_service_token_init():
    ServiceToken(id=ID, secret=SECRET, key=SHORT_KEY)

def test_service_token_generate():
    ServiceToken.generate(key=SHORT_KEY)

def test_api_key_parse():
    ApiKey.parse(API_KEY)

def test_service_account_init():
    ServiceAccount(access_key=ACCESS_KEY, public_key=PUBLIC_KEY, private_key=PRIVATE_KEY)

def test_service_account_generate():
    ServiceAccount.generate(PUBLIC_KEY, PRIVATE_KEY, id="zz")

def test_machine_identity():
    MachineIdentity(client_id="", client_secret=CLIENT_SECRET)

def test_encrypt_symmetric():
    crypto.encrypt_symmetric(PLAINTEXT, SHORT_PROJECT_KEY)

def test_decrypt_symmetric():
    crypto.decrypt_symmetric(CIPHER.ciphertext, CIPHER.iv, CIPHER.tag, WRONG_PROJECT_KEY)

def test_encrypt_asymmetric():
    crypto.encrypt_asymmetric(PLAINTEXT, LOW_ORDER, PRIVATE_KEY)

def test_decrypt_asymmetric():
    crypto.decrypt_asymmetric(BOX.ciphertext, BOX.nonce, OTHER_PUBLIC_KEY, PRIVATE_KEY)

def test_wrap_for_service_token():
    crypto.wrap_project_key_for_service_token(PROJECT_KEY, SHORT_KEY)

def test_unwrap_for_service_token():
    crypto.unwrap_project_key_for_service_token(TOKEN_DOCUMENT, WRONG_TOKEN)

def test_wrap_for_service_account():
    crypto.wrap_project_key_for_service_account(PROJECT_KEY, PUBLIC_KEY, SHORT_PROJECT_KEY)

def test_unwrap_for_service_account():
    crypto.unwrap_project_key_for_service_account(KEY_RECORD, OTHER_PUBLIC_KEY, PRIVATE_KEY)

def test_encrypt_secret():
    crypto.encrypt_secret("DB_PASSWORD", PLAINTEXT, SHORT_PROJECT_KEY)

def test_decrypt_secret():
    crypto.decrypt_secret(SECRET_OBJECT, WRONG_PROJECT_KEY)

def test_decrypt_secrets_with_a_project_key():
    crypto.decrypt_secrets(RESPONSE, project_key=WRONG_PROJECT_KEY)

def test_decrypt_secrets_with_a_service_token():
    crypto.decrypt_secrets(RESPONSE, service_token=WRONG_TOKEN, service_token_data=TOKEN_DOCUMENT)

def test_decrypt_secrets_with_a_service_account():
    crypto.decrypt_secrets(RESPONSE, service_account=WRONG_ACCOUNT, key_record=KEY_RECORD)
"""

_KEY_32 = (
    "is 30 bytes as UTF-8; Infisical's AES key is a 32-character hex string whose 32 UTF-8 bytes "
    "are the AES-256 key (generate one with generate_project_key())"
)
_WRONG_KEY = "authentication failed - the key is wrong, or"
_WRONG_PAIR = "the box did not open - the key pair is wrong, or"

#: the error each test of TEST_FILE ends with, exactly as pytest shows it
MESSAGES = [
    "CredentialFormatError: service token: the key part is 31 characters; expected 32 lowercase hex characters",
    "CredentialFormatError: service token: the key part is 31 characters; expected 32 lowercase hex characters",
    "CredentialFormatError: service token: the key part is 31 characters; expected 32 lowercase hex characters",
    "CredentialFormatError: API key: the secret part has upper-case letters; Infisical issues lowercase hex "
    "and its SDKs reject upper case",
    "CredentialFormatError: service-account access key: the secret part decodes to 14 bytes; expected 16 "
    "('sa.<base64 id>.<base64 secret>')",
    "CredentialFormatError: service account: the id must be 24 lowercase hex characters; it has other characters",
    "CredentialFormatError: machine identity client_id is empty",
    f"InvalidLengthError: key {_KEY_32}",
    f"DecryptionError: could not decrypt ciphertext: {_WRONG_KEY} ciphertext, iv or tag was altered",
    "InvalidKeyError: public_key is a low-order point of Curve25519: no private key can share a secret with it "
    "(use a public key from generate_key_pair())",
    f"DecryptionError: could not decrypt ciphertext: {_WRONG_PAIR} ciphertext or nonce was altered",
    "InvalidLengthError: token_key is 31 bytes as UTF-8; Infisical's AES key is a 32-character hex string whose "
    "32 UTF-8 bytes are the AES-256 key (generate one with generate_project_key())",
    f"DecryptionError: could not decrypt the project key (encryptedKey): {_WRONG_KEY} encryptedKey, iv or tag "
    "was altered",
    "InvalidEncodingError: private_key is not valid standard base64 with '=' padding (A-Z a-z 0-9 + /, length a "
    "multiple of 4)",
    f"DecryptionError: could not decrypt the project key (encryptedKey): {_WRONG_PAIR} encryptedKey or nonce "
    "was altered",
    f"InvalidLengthError: project_key {_KEY_32}",
    f"DecryptionError: could not decrypt secretKey: {_WRONG_KEY} secretKeyCiphertext, secretKeyIV or "
    "secretKeyTag was altered",
    f"DecryptionError: could not decrypt secretKey: {_WRONG_KEY} secretKeyCiphertext, secretKeyIV or "
    "secretKeyTag was altered",
    f"DecryptionError: could not decrypt the project key (encryptedKey): {_WRONG_KEY} encryptedKey, iv or tag "
    "was altered",
    f"DecryptionError: could not decrypt the project key (encryptedKey): {_WRONG_PAIR} encryptedKey or nonce "
    "was altered",
]


@pytest.mark.parametrize(
    "options",
    [(), ("-l",), ("--tb=long",), ("--tb=long", "-l"), ("--tb=short", "-l"), ("--tb=native",)],
    ids=["default", "showlocals", "tb-long", "tb-long-showlocals", "tb-short", "tb-native"],
)
def test_no_secret_in_failure_output(pytester: pytest.Pytester, options: tuple[str, ...]) -> None:
    pytester.makepyfile(test_secrets=TEST_FILE)
    result = pytester.runpytest(*options)
    result.assert_outcomes(failed=len(MESSAGES))
    output = result.stdout.str() + result.stderr.str()
    assert [s for s in SECRET_STRINGS if s in output] == []
    # the messages stay useful: every failure ends with its typed error, in the file's order
    result.stdout.fnmatch_lines([f"*pytest_infisical.errors.{message}" for message in MESSAGES])


def test_the_check_can_see_a_secret_when_a_frame_shows_it(pytester: pytest.Pytester) -> None:
    """The control: ``--full-trace`` turns pytest's frame hiding off, and then secrets do show.

    It proves the generated tests really hand secrets to the package's frames (so the test above
    can fail), and pins the one documented way to see them.
    """
    pytester.makepyfile(test_secrets=TEST_FILE)
    result = pytester.runpytest("--full-trace", "-l", "-k", "service_token_parse or decrypt_symmetric")
    result.assert_outcomes(failed=2)
    # they fail for the reason they were written for, not some other error
    result.stdout.fnmatch_lines(
        [
            f"E*pytest_infisical.errors.{MESSAGES[0]}",
            f"E*pytest_infisical.errors.DecryptionError: could not decrypt ciphertext: {_WRONG_KEY}*",
        ]
    )
    output = result.stdout.str()
    assert SECRET in output and SHORT_KEY in output and WRONG_PROJECT_KEY in output
