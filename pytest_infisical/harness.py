"""What the ``infisical`` fixtures set up, without pytest: options → a fake → transports serving its pipeline.

The plugin gathers options from the marker, the command line and the ini file, and calls
:func:`build` and :func:`serve` (in-process ``requests`` and httpx) or :func:`live` (a loopback
HTTP server); everything else lives here so that it can be used (and tested) outside pytest. The
transports are handed the fake's :class:`~pytest_infisical.pipeline.Pipeline` and nothing else.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, Union

import attrs

from .fake import DEFAULT_URL, FakeInfisical
from .redact import redact_url

if TYPE_CHECKING:
    from .fake.handler import FakeHandler
    from .pipeline import Pipeline

__all__ = ["MARKER_OPTIONS", "Options", "build", "live", "retired_report", "serve", "start", "strict_report"]

#: every keyword the ``@pytest.mark.infisical(...)`` marker accepts, with what it does
MARKER_OPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "profile": "server profile: 'latest' (today's server, default), '2024-08' or '2023'",
        "e2ee": "True: the default project has end-to-end encryption on (raw routes refused)",
        "environments": "environment slugs of the default project (default: dev, staging, prod)",
        "secrets": "secrets to seed: {NAME: value} (dev, /) or {env: {path: {NAME: value}}}",
        "base_urls": "more base URLs the fake answers at, besides https://app.infisical.com",
        "passthrough": "URL prefixes that still reach the network while the fake is active",
        "allow_unrouted": "True: a request no route of the fake answers does not fail the test",
        "allow_unmocked": "True: a request to another host (refused) does not fail the test",
        "assert_all_expected": "False: expect()ed calls never made, fail_next() faults never triggered and stub()s never used do not fail the test",
        "rate_limits": "False: no rate limits of the profile's own (2024-08 counts 40 a minute per secrets route)",
    }
)


#: the marker's on/off options: a value other than True or False is a mistake (``"no"`` is truthy)
_SWITCHES = ("e2ee", "allow_unrouted", "allow_unmocked", "assert_all_expected", "rate_limits")


@attrs.frozen
class Options:
    profile: str = "latest"
    e2ee: bool = False
    environments: tuple[str, ...] = ("dev", "staging", "prod")
    secrets: Any = None
    base_urls: tuple[str, ...] = ()
    passthrough: tuple[str, ...] = ()
    allow_unrouted: bool = False
    allow_unmocked: bool = False
    assert_all_expected: bool = True
    rate_limits: bool = True

    @property
    def all_base_urls(self) -> list[str]:
        return [DEFAULT_URL, *self.base_urls]

    @classmethod
    def from_marker(cls, kwargs: Mapping[str, Any], defaults: Optional[Options] = None) -> Options:
        unknown = sorted(set(kwargs) - set(MARKER_OPTIONS))
        if unknown:
            known = ", ".join(sorted(MARKER_OPTIONS))
            raise TypeError(f"@pytest.mark.infisical got unknown option(s) {', '.join(unknown)}; it takes {known}")
        base = defaults or cls()
        changes: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in ("environments", "base_urls", "passthrough"):
                if isinstance(value, str) or not isinstance(value, Sequence):
                    raise TypeError(f"@pytest.mark.infisical({key}=...) takes a list of strings, got {value!r}")
                value = tuple(value)
                if key in ("base_urls", "passthrough"):
                    value = (*getattr(base, key), *value)
            elif key in _SWITCHES and not isinstance(value, bool):
                raise TypeError(f"@pytest.mark.infisical({key}=...) takes True or False, got {value!r}")
            elif key == "profile" and not isinstance(value, str):
                raise TypeError(
                    f"@pytest.mark.infisical(profile=...) takes a profile name such as '2024-08', got {value!r}"
                )
            changes[key] = value
        return attrs.evolve(base, **changes)


def build(
    options: Options, *, url: str = DEFAULT_URL, pipeline: Optional[Pipeline[FakeHandler]] = None
) -> FakeInfisical:
    """A fake seeded as ``options`` say; served through ``pipeline`` when one was built beforehand."""
    from .seed import apply_secrets

    if pipeline is None:
        fake = FakeInfisical(
            url,
            profile=options.profile,
            e2ee=options.e2ee,
            environments=options.environments,
            rate_limits=options.rate_limits,
        )
    else:
        fake = FakeInfisical(url, e2ee=options.e2ee, environments=options.environments, pipeline=pipeline)
    if options.secrets is not None:
        apply_secrets(fake, options.secrets)
    return fake


S = TypeVar("S", FakeInfisical, "Pipeline[Any]")


@contextmanager
def serve(served: S, options: Options) -> Iterator[S]:
    """Serve a fake's pipeline (or any pipeline) to ``requests`` (and httpx, when installed) while the block runs."""
    from .transports.responses import RequestsTransport

    pipeline = served.pipeline if isinstance(served, FakeInfisical) else served
    with ExitStack() as stack:
        kwargs: dict[str, Any] = {"on_unmocked": pipeline.journal.record_unmocked, "passthrough": options.passthrough}
        stack.enter_context(RequestsTransport(pipeline, options.all_base_urls, **kwargs))
        if importlib.util.find_spec("httpx") is not None:
            from .transports.httpx import HttpxTransport

            stack.enter_context(HttpxTransport(pipeline, options.all_base_urls, **kwargs))
        yield served


@contextmanager
def live(options: Options, host: str = "127.0.0.1", port: int = 0) -> Iterator[FakeInfisical]:
    """A fake seeded as ``options`` say, served over real HTTP while the block runs (``fake.url``).

    The pipeline comes first (the server needs a handler before it knows its port), with real
    sleeps for delay faults; the server's own answers (a malformed request, a body over its limit)
    are rendered as the profile renders its errors; the fake is assembled around it once the server's URL is known.
    """
    import time

    from .fake import fake_pipeline
    from .transports.server import LiveServer

    pipeline = fake_pipeline(options.profile, sleep=time.sleep, rate_limits=options.rate_limits)
    with LiveServer(pipeline, host, port, render_error=pipeline.render_status) as server:
        yield build(options, url=server.url, pipeline=pipeline)


@contextmanager
def start(options: Options) -> Iterator[FakeInfisical]:
    """A seeded fake, served while the block runs."""
    with serve(build(options), options) as fake:
        yield fake


def _opt_out(option: str) -> str:
    return f"@pytest.mark.infisical({option})"


def retired_report(served: Union[FakeInfisical, Pipeline[Any]]) -> Optional[str]:
    """Why the handler refused some credentials, when it said (an auth mode its server no longer
    serves): the first call refused for each reason, with the handler's note; None when none was."""
    pipeline = served.pipeline if isinstance(served, FakeInfisical) else served
    first: dict[str, str] = {}
    for call in pipeline.journal.calls:
        if call.note is not None and call.note not in first:
            first[call.note] = f"  {call.index}. {call.describe()}"
    if not first:
        return None
    return "\n".join(["pytest-infisical: the fake Infisical refused a retired credential:", *first.values()])


def strict_report(served: Union[FakeInfisical, Pipeline[Any]], options: Options) -> Optional[str]:
    """What strict mode finds wrong at teardown, or None: requests the handler crashed on (answered
    with the server's 500), requests no route answered, requests to other hosts, faults never
    triggered, stubs never used and expected calls never made — even when the client swallowed the
    errors. URLs are shown with their credential-carrying query values redacted. It reads the pipeline's journal and faults, so it works for any handler
    (a handler with ``closest_routes(method, path)`` adds near-miss hints)."""
    pipeline = served.pipeline if isinstance(served, FakeInfisical) else served
    journal, faults = pipeline.journal, pipeline.faults
    hints: Callable[[str, str], list[str]] = getattr(pipeline.handler, "closest_routes", lambda method, path: [])
    sections: list[str] = []
    crashed = [c for c in journal.calls if c.exception]
    if crashed:
        lines = [
            f"pytest-infisical: the fake Infisical raised an unexpected exception on {len(crashed)} request(s), answered with a 500:"
        ]
        lines += [f"  {call.index}. {call.describe()}" for call in crashed]
        lines.append("This is a bug in pytest-infisical (or in the handler it serves): please report it.")
        sections.append("\n".join(lines))
    if not options.allow_unrouted:
        unrouted = [c for c in journal.calls if c.unrouted]
        if unrouted:
            lines = [f"pytest-infisical: {len(unrouted)} request(s) reached no route of the fake Infisical:"]
            for call in unrouted:
                lines.append(f"  {call.index}. {call.describe()}")
                lines += [f"     {hint}" for hint in hints(call.method, call.request.path)]
            lines.append(
                "If the client is right and the fake lacks the route, allow it with "
                + _opt_out("allow_unrouted=True")
                + "."
            )
            sections.append("\n".join(lines))
    if not options.allow_unmocked and journal.unmocked:
        lines = [
            f"pytest-infisical: {len(journal.unmocked)} request(s) went to a host the fake does not serve "
            "and were refused (the client may have swallowed the error):"
        ]
        lines += [f"  {r.method} {redact_url(r.url)}" for r in journal.unmocked]
        lines.append(
            "Serve that URL with "
            + _opt_out("base_urls=[...]")
            + ", let it reach the network with "
            + _opt_out("passthrough=[...]")
            + ", or allow it with "
            + _opt_out("allow_unmocked=True")
            + "."
        )
        sections.append("\n".join(lines))
    if options.assert_all_expected and faults.pending:
        lines = [
            f"pytest-infisical: {len(faults.pending)} fault(s) armed with infisical.fail_next() were never triggered:"
        ]
        lines += [f"  {fault.describe()}" for fault in faults.pending]
        lines.append(
            "Did the client call that route? Remove the fault, or opt out with "
            + _opt_out("assert_all_expected=False")
            + "."
        )
        sections.append("\n".join(lines))
    unused = pipeline.stubs.unused if options.assert_all_expected else []
    if unused:
        lines = [f"pytest-infisical: {len(unused)} stub(s) set with infisical.stub() never matched a request:"]
        lines += [f"  {stub.describe()}" for stub in unused]
        lines.append(
            "Did the client call that route? Remove the stub, or opt out with "
            + _opt_out("assert_all_expected=False")
            + "."
        )
        sections.append("\n".join(lines))
    if options.assert_all_expected:
        unmet = []
        for expectation in journal.expectations:
            try:
                journal.assert_called(
                    expectation.method, expectation.path, auth=expectation.auth, times=expectation.times
                )
            except AssertionError as error:
                unmet.append(str(error))
        if unmet:
            lines = [f"pytest-infisical: {len(unmet)} expected call(s) declared with infisical.expect() were not made:"]
            lines += unmet
            lines.append("Remove the expectation, or opt out with " + _opt_out("assert_all_expected=False") + ".")
            sections.append("\n".join(lines))
    retired = retired_report(pipeline) if sections else None  # why some calls failed, if the fake said
    return "\n\n".join([*sections, *([retired] if retired else [])]) or None
