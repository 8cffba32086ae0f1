"""``python -m pytest_infisical serve``: the fake over real HTTP, for clients in any language;
``python -m pytest_infisical scan PATH...``: the leak scan of recorded cassettes.

It seeds the fake (from ``--seed FILE``, or a "demo" project), prints one JSON line with
credentials for the first project and the admin API's token — and writes the same object to
``--credentials-out`` — then serves until SIGINT or SIGTERM. It binds loopback unless told
otherwise. The admin API (``/_fake/…``, see :mod:`pytest_infisical.admin`) is on unless
``--no-admin``.

Every failure is one line on stderr and an exit code, never a traceback:

* 0 — served, then stopped by SIGINT or SIGTERM
* 1 — could not start: the address cannot be bound, or the credentials file cannot be written
* 2 — a bad command line or seed file
* 128 + N — stopped by signal N before serving (130 for SIGINT, 143 for SIGTERM)
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn, Optional

__all__ = ["EXIT_CANNOT_START", "EXIT_OK", "EXIT_USAGE", "main"]

EXIT_OK = 0
EXIT_CANNOT_START = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, with every usage error on one line (no usage block): see ``--help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"error: {message}; see --help\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535; 0 picks a free port)")
    return port


_PROFILES = ("latest", "2024-08", "2023")


def _profile(text: str) -> str:
    if text not in _PROFILES:
        raise argparse.ArgumentTypeError(f"{text!r} is not a profile ({', '.join(_PROFILES)})")
    return text


def _host(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "the address is empty; use 127.0.0.1 (loopback, the default) or 0.0.0.0 (every interface)"
        )
    return text


def _credentials_path(text: str) -> Path:
    """``--credentials-out``: refused up front if it cannot be a file (missing parents are created)."""
    path = Path(text)
    if text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(f"{text} names a directory (it ends with '/'); give the path of a file")
    try:
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"{text} is a directory; give the path of a file to write")
        existing = next((parent for parent in path.parents if parent.exists()), None)
    except OSError as error:
        raise argparse.ArgumentTypeError(f"{text}: {error.strerror}") from None
    if existing is not None and not existing.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: {existing} is not a directory")
    return path


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m pytest_infisical", description="pytest-infisical tools")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve a seeded fake Infisical over HTTP until SIGINT/SIGTERM")
    serve.add_argument(
        "--host", type=_host, default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)"
    )
    serve.add_argument("--port", type=_port, default=0, help="port to bind (default: 0, a free port)")
    serve.add_argument(
        "--seed", type=Path, metavar="FILE", help="JSON (or YAML) seed file: projects, environments, secrets"
    )
    serve.add_argument(
        "--credentials-out", type=_credentials_path, metavar="FILE", help="also write the credentials JSON to FILE"
    )
    serve.add_argument(
        "--profile",
        type=_profile,
        default="latest",
        metavar="{latest,2024-08,2023}",
        help="server profile (default: latest)",
    )
    serve.add_argument(
        "--no-admin", action="store_true", help="no admin API (/_fake/...): serve only what Infisical serves"
    )
    serve.add_argument(
        "--no-rate-limits",
        action="store_true",
        help="no rate limits of the profile's own (2024-08 limits each secrets route to 40 a minute per client)",
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
    from .admin import credential_json

    project = fake.project
    environments = list(project.environments)
    issued = [
        fake.create_api_key(name="serve"),
        fake.create_service_token(
            scopes=[(env, "/**") for env in environments], permissions=("read", "write"), name="serve"
        ),
        fake.create_service_account(permissions=[(env, True, True) for env in environments], name="serve"),
        fake.create_machine_identity(role="member", name="serve"),
    ]
    return {"url": url, "project_id": project.id, "environments": environments, **dict(map(credential_json, issued))}


def _write_atomically(path: Path, text: str) -> None:
    """Write a temporary file (mode 0600: it holds credentials), then rename it over ``path``.

    A reader never sees a half-written file, and on any failure (or a signal) the temporary file
    is removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _is_loopback(host: str) -> bool:
    """Whether every address ``host`` names is a loopback one (an unresolvable name fails to bind later)."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return True
    return all(ipaddress.ip_address(str(address).split("%")[0]).is_loopback for address in addresses)


class _Interrupted(BaseException):
    """A signal arrived while the seed was loading (a BaseException, like KeyboardInterrupt)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _not_started(message: str, code: int) -> int:
    print(f"error: {message}; the server was not started", file=sys.stderr, flush=True)
    return code


def _stopped_early(signum: int) -> int:
    print(f"stopped by {signal.Signals(signum).name}; the server was not started", file=sys.stderr, flush=True)
    return 128 + signum


class _Signals:
    """SIGINT and SIGTERM: while the seed loads they abandon it at once (there is nothing to clean
    up yet); from then on they set ``stop``, and the code that started things stops them."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.loading = True
        self.received: Optional[int] = None

    def __call__(self, signum: int, _frame: Optional[FrameType]) -> None:
        self.received = signum
        if self.loading:
            raise _Interrupted(signum)
        self.stop.set()


def serve(args: argparse.Namespace, stop: Optional[threading.Event] = None) -> int:
    """Run ``serve`` until ``stop`` is set (SIGINT and SIGTERM set it); returns the exit code."""
    signals = _Signals(stop or threading.Event())
    previous = {sig: signal.signal(sig, signals) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _serve(args, signals)
    except _Interrupted as interrupted:  # raised only while loading, before any server or file exists
        return _stopped_early(interrupted.signum)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _serve(args: argparse.Namespace, signals: _Signals) -> int:
    from .admin import AdminApi, Baseline
    from .errors import InfisicalTestingError
    from .seed import DEMO_SEED, load_seed
    from .transports.server import LiveServer

    try:
        data = load_seed(args.seed) if args.seed else DEMO_SEED
        baseline = Baseline(
            data,
            profile=args.profile,
            source=str(args.seed) if args.seed else None,
            sleep=time.sleep,
            rate_limits=not args.no_rate_limits,
        )
    except InfisicalTestingError as error:
        return _not_started(str(error), EXIT_USAGE)
    signals.loading = False
    admin = None if args.no_admin else AdminApi(baseline)  # /_fake/...: reset, seed, journal, faults
    try:
        server = LiveServer(
            admin or baseline.fake,
            host=args.host,
            port=args.port,
            render_error=lambda status, message: baseline.fake.pipeline.render_status(status, message),
        ).start()
    except OSError as error:
        return _not_started(f"cannot listen on {args.host}:{args.port}: {error.strerror}", EXIT_CANNOT_START)
    try:
        baseline.serve_at(server.url)
        info = credentials(baseline, server.url)  # the baseline registers them again on every reset
        if admin is not None:
            info["admin_token"] = admin.token
        text = json.dumps(info)
        if signals.received is not None:  # a signal since loading: stop before writing or printing credentials
            return _stopped_early(signals.received)
        if args.credentials_out:
            try:
                _write_atomically(args.credentials_out, text + "\n")
            except OSError as error:
                return _not_started(
                    f"cannot write the credentials to {args.credentials_out}: {error.strerror}", EXIT_CANNOT_START
                )
        print(text, flush=True)
        if not _is_loopback(args.host):
            print(
                f"warning: {args.host} is not a loopback address: anyone who can reach port {server.port} of this "
                "machine can use the credentials above and read and change every secret the fake holds",
                file=sys.stderr,
            )
        print(
            f"serving a fake Infisical at {server.url} (profile {args.profile}); stop with Ctrl-C",
            file=sys.stderr,
            flush=True,
        )
        signals.stop.wait()
    finally:
        server.stop()
    print("stopped", file=sys.stderr, flush=True)
    return EXIT_OK


def main(argv: Optional[list[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "scan":
        return scan(args)
    return EXIT_USAGE  # pragma: no cover - argparse refuses unknown commands


if __name__ == "__main__":
    sys.exit(main())
