"""``python -m pytest_infisical serve``: the fake over real HTTP, for clients in any language;
``python -m pytest_infisical scan PATH...``: the leak scan of recorded cassettes.

It seeds the fake (from ``--seed FILE``, or a "demo" project), prints one JSON line with
credentials for the first project — and writes the same object to ``--credentials-out`` — then
serves until SIGINT or SIGTERM. It binds loopback unless told otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Optional

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pytest_infisical", description="pytest-infisical tools")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve a seeded fake Infisical over HTTP until SIGINT/SIGTERM")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)")
    serve.add_argument("--port", type=int, default=0, help="port to bind (default: 0, a free port)")
    serve.add_argument(
        "--seed", type=Path, metavar="FILE", help="JSON (or YAML) seed file: projects, environments, secrets"
    )
    serve.add_argument("--credentials-out", type=Path, metavar="FILE", help="also write the credentials JSON to FILE")
    serve.add_argument(
        "--profile", default="latest", choices=["latest", "2023"], help="server profile (default: latest)"
    )
    scanner = commands.add_parser(
        "scan", help="scan cassettes for real credentials and values; exit 1 on a hit (a pre-commit hook)"
    )
    scanner.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="cassette files, or directories of them")
    scanner.add_argument(
        "--value", action="append", default=[], metavar="V", help="a real value to look for (repeatable)"
    )
    return parser


def scan(args: argparse.Namespace) -> int:
    """Exit 1 with a redacted report when a cassette holds real material, 0 when all are clean."""
    from .cassettes.scan import scan_paths

    findings = scan_paths(args.paths, values=args.value)
    if findings:
        print(f"{len(findings)} finding(s): these cassettes hold real material", file=sys.stderr)
        for finding in findings:
            print(f"  {finding}", file=sys.stderr)
        return 1
    return 0


def credentials(fake: Any, url: str) -> dict[str, Any]:
    """Credentials for the first project, each with read and write on every environment and path."""
    project = fake.project
    environments = list(project.environments)
    token = fake.create_service_token(
        scopes=[(env, "/**") for env in environments], permissions=("read", "write"), name="serve"
    )
    account = fake.create_service_account(permissions=[(env, True, True) for env in environments], name="serve")
    identity = fake.create_machine_identity(role="member", name="serve")
    return {
        "url": url,
        "project_id": project.id,
        "environments": environments,
        "api_key": fake.create_api_key(name="serve").value,
        "service_token": token.token,
        "service_account": {
            "access_key": account.access_key,
            "public_key": account.public_key,
            "private_key": account.private_key,
        },
        "machine_identity": {"client_id": identity.client_id, "client_secret": identity.client_secret},
    }


def _write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file, then rename: a watcher never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o600)  # it holds credentials
    os.replace(tmp, path)


def serve(args: argparse.Namespace, stop: Optional[threading.Event] = None) -> int:
    from .seed import DEMO_SEED, SeedError, build_fake, load_seed
    from .transports.server import LiveServer

    try:
        data = load_seed(args.seed) if args.seed else DEMO_SEED
        fake = build_fake(data, profile=args.profile, source=str(args.seed) if args.seed else None)
    except SeedError as error:
        print(f"error: {error}", file=sys.stderr)
        print("the server was not started", file=sys.stderr)
        return 2
    stop = stop or threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            server = LiveServer(fake, host=args.host, port=args.port).start()
        except OSError as error:
            print(f"error: cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
            return 2
        fake.url = server.url
        fake.sleep = time.sleep
        text = json.dumps(credentials(fake, server.url))
        if args.credentials_out:
            _write_atomically(args.credentials_out, text + "\n")
        print(text, flush=True)
        print(
            f"serving a fake Infisical at {server.url} (profile {args.profile}); stop with Ctrl-C",
            file=sys.stderr,
            flush=True,
        )
        stop.wait()
        server.stop()
        print("stopped", file=sys.stderr, flush=True)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: Optional[list[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "scan":
        return scan(args)
    return 2  # pragma: no cover - argparse refuses unknown commands


if __name__ == "__main__":
    sys.exit(main())
