"""Cassette replay through ``requests``: ours vs vcrpy on the same 1,000 interactions; and loading.

1. Replaying 1,000 distinct interactions (``GET /api/v3/secrets/raw/SECRET_<i>``, each answered
   once, in recorded order) through ``requests``: a :class:`CassettePlayer` behind the in-process
   transport, against vcrpy replaying the very same interactions from its own cassette in the same
   run, through the same kind of ``requests.Session`` (``trust_env`` off on both sides). Each
   side's cassette is loaded before the clock starts; the clock covers the 1,000 calls.
   Target: ours <= 0.1x (vcrpy looks for a match by walking every recorded interaction).
2. Loading a 1,000-interaction cassette from disk and building the player's index, the best of
   7. Target: <= 50 ms. ``json.loads`` of the same file is printed beside it, for scale.

    python -m benchmarks.bench_cassettes
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Callable

import requests

from benchmarks._timing import best_of, report
from pytest_infisical.cassettes.format import (
    Body,
    Cassette,
    Fixture,
    Interaction,
    Meta,
    RecordedRequest,
    RecordedResponse,
    save,
)
from pytest_infisical.cassettes.player import CassettePlayer
from pytest_infisical.credentials import ApiKey
from pytest_infisical.transports.responses import RequestsTransport

URL = "https://app.infisical.com"
COUNT = 1000
ROUNDS = 3
KEY = ApiKey(id="64a0c3e2f1b4a5d6e7f80912", secret="0123456789abcdef0123456789abcdef")


def target(i: int) -> str:
    return f"/api/v3/secrets/raw/SECRET_{i}?workspaceId=64a0c3e2f1b4a5d6e7f80912&environment=dev&secretPath=%2F"


def answer(i: int) -> dict[str, object]:
    return {
        "secret": {
            "id": f"{i:024x}",
            "_id": f"{i:024x}",
            "workspace": "64a0c3e2f1b4a5d6e7f80912",
            "environment": "dev",
            "version": 1,
            "type": "shared",
            "secretKey": f"SECRET_{i}",
            "secretValue": f"value-{i}",
            "secretComment": "",
            "secretPath": "/",
            "tags": [],
        }
    }


def our_cassette() -> Cassette:
    interactions = [
        Interaction(
            RecordedRequest("GET", URL + target(i), KEY.headers),
            RecordedResponse(200, {"Content-Type": "application/json; charset=utf-8"}, Body("json", answer(i))),
        )
        for i in range(COUNT)
    ]
    return Cassette(interactions, Fixture({"api_key": KEY.value}), Meta(url=URL, auth_modes=["api_key"]))


def vcr_cassette(path: Path) -> None:
    interactions = [
        {
            "request": {"body": None, "headers": {}, "method": "GET", "uri": URL + target(i)},
            "response": {
                "body": {"string": json.dumps(answer(i), separators=(",", ":"))},
                "headers": {"Content-Type": ["application/json; charset=utf-8"]},
                "status": {"code": 200, "message": "OK"},
            },
        }
        for i in range(COUNT)
    ]
    path.write_text(json.dumps({"interactions": interactions, "version": 1}))


def replay_all(session: requests.Session) -> None:
    for i in range(COUNT):
        response = session.get(URL + target(i), headers=KEY.headers)
        assert response.status_code == 200, response.text


def timed(setup: Callable[[], AbstractContextManager[None]], rounds: int = ROUNDS) -> float:
    best = float("inf")
    for _ in range(rounds):
        session = requests.Session()
        session.trust_env = False  # neither side pays for reading proxy settings on every call
        with setup():
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter()
                replay_all(session)
                best = min(best, time.perf_counter() - start)
            finally:
                gc.enable()
    return best


def main() -> int:
    try:
        import vcr  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        print("bench_cassettes needs vcrpy: pip install vcrpy")
        return 1

    with tempfile.TemporaryDirectory() as tmp:
        ours_path, theirs_path = Path(tmp) / "ours.json", Path(tmp) / "vcr.json"
        save(our_cassette(), ours_path)
        vcr_cassette(theirs_path)
        recorder = vcr.VCR(record_mode="none", serializer="json")  # vcrpy's default matching

        @contextmanager
        def ours() -> Iterator[None]:
            player = CassettePlayer.load(ours_path)
            with RequestsTransport(player, [URL]):
                yield
            assert player.unplayed() == [] and player.misses == []

        @contextmanager
        def theirs() -> Iterator[None]:
            with recorder.use_cassette(str(theirs_path)) as cassette:
                yield
            assert cassette.all_played

        our_time = timed(ours)
        vcr_time = timed(theirs, rounds=2)  # about a minute a round
        replay_ok = report(
            f"replaying {COUNT:,} distinct interactions through requests: ours vs vcrpy",
            our_time,
            vcr_time,
            "vcrpy",
            0.1,
        )
        load_time = best_of(lambda: CassettePlayer.load(ours_path))
        json_time = best_of(lambda: json.loads(ours_path.read_bytes()))
        print(f"loading a {COUNT:,}-interaction cassette and indexing it, best of 7")
        print(
            f"  ours   {load_time * 1e3:10.3f} ms   (target <= 50 ms)  {'OK' if load_time <= 0.05 else 'OVER TARGET'}"
        )
        print(f"  json   {json_time * 1e3:10.3f} ms   (json.loads of the same file, for scale)")
    return 0 if replay_ok and load_time <= 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
