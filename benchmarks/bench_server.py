"""The live server against moto's ``ThreadedMotoServer``, in the same run.

1. Per-request latency over real HTTP on loopback, keep-alive, one ``requests.Session`` each:
   reading one secret from our server (``GET /api/v3/secrets/raw/:name``) vs moto serving
   Secrets Manager's ``GetSecretValue``. The moto request is signed once by boto3 and then
   replayed, so client-side signing is not counted against moto. Target: ours <= 0.5x.
2. Shutdown time with an idle keep-alive connection open, the server idle for 0.2 s before
   ``stop()``: ``LiveServer`` vs ``ThreadedMotoServer`` (its ``serve_forever`` polls every
   0.5 s), the median of 5 starts and stops each. Target: ours <= 50 ms.

3. When cheroot or waitress is installed (``pip install cheroot waitress``; they are no
   dependency of the package), the same two measurements for the same fake served by each of
   them through a minimal WSGI adapter: the numbers behind the choice of server in the README.

Needs the ``bench`` extra: ``pip install -e '.[bench]'``.

    python -m benchmarks.bench_server
"""

from __future__ import annotations

import importlib
import importlib.util
import socket
import statistics
import sys
import threading
import time
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any, Callable

import requests

from benchmarks._timing import report
from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Handler, Request
from pytest_infisical.transports.server import LiveServer

REQUESTS_PER_RUN = 500
ROUNDS = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def best_per_request(call: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(REQUESTS_PER_RUN):
            call()
        best = min(best, (time.perf_counter() - start) / REQUESTS_PER_RUN)
    return best


STOPS = 5
IDLE = 0.2


#: starts a server for the fake; returns its URL and a function that stops it
Starter = Callable[[FakeInfisical], tuple[str, Callable[[], None]]]


def measure(start: Starter) -> tuple[float, float]:
    """Per-request latency reading one secret, and the median stop time with an idle connection."""
    fake = FakeInfisical()
    fake.set_secret("DB_PASSWORD", "hunter2")
    token = fake.create_service_token()
    base, stop = start(fake)
    session = requests.Session()
    url = f"{base}/api/v3/secrets/raw/DB_PASSWORD"
    params = {"workspaceId": fake.project.id, "environment": "dev"}

    def call() -> None:
        fake.journal.clear()
        response = session.get(url, params=params, headers=token.headers)
        assert response.json()["secret"]["secretValue"] == "hunter2"

    call()
    latency = best_per_request(call)
    stop()
    stops = []
    for _ in range(STOPS):
        base, stop = start(fake)
        requests.Session().get(f"{base}/api/status")  # leaves a keep-alive connection open
        time.sleep(IDLE)
        begin = time.perf_counter()
        stop()
        stops.append(time.perf_counter() - begin)
    return latency, statistics.median(stops)


def start_ours(fake: FakeInfisical) -> tuple[str, Callable[[], None]]:
    server = LiveServer(fake).start()
    return server.url, server.stop


def wsgi(handler: Handler) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """The thinnest WSGI adapter for a handler (what standing on a WSGI server would take)."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = [(k[5:].replace("_", "-").title(), v) for k, v in environ.items() if k.startswith("HTTP_")]
        if environ.get("CONTENT_TYPE"):
            headers.append(("Content-Type", environ["CONTENT_TYPE"]))
        query = f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else ""
        path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "replace")
        url = f"http://{environ['SERVER_NAME']}:{environ['SERVER_PORT']}{path}{query}"
        response = handler.handle(Request(environ["REQUEST_METHOD"], url, headers, body))
        fields = [(k, v) for k, v in response.headers.raw_items() if k.lower() != "content-length"]
        start_response(
            f"{response.status} {HTTPStatus(response.status).phrase}",
            [*fields, ("Content-Length", str(len(response.body)))],
        )
        return [response.body]

    return app


def start_cheroot(fake: FakeInfisical) -> tuple[str, Callable[[], None]]:
    server: Any = importlib.import_module("cheroot.wsgi").Server(("127.0.0.1", 0), wsgi(fake))
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()

    def stop() -> None:
        server.stop()
        thread.join()

    return f"http://127.0.0.1:{server.bind_addr[1]}", stop


def start_waitress(fake: FakeInfisical) -> tuple[str, Callable[[], None]]:
    server: Any = importlib.import_module("waitress.server").create_server(wsgi(fake), host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    def stop() -> None:
        # close() alone leaves an idle keep-alive channel open, and run() with it, until the
        # channel times out (120 s); closing the channels too is the fastest stop there is
        server.task_dispatcher.shutdown()
        server.close()
        for channel in list(server._map.values()):
            channel.close()
        thread.join()

    return f"http://127.0.0.1:{server.effective_port}", stop


def moto() -> tuple[float, float]:
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "secretsmanager",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_secret(Name="DB_PASSWORD", SecretString="hunter2")
    captured: dict[str, Any] = {}

    def capture(request: Any, **_: Any) -> None:
        captured.update(url=request.url, headers=dict(request.headers), body=request.body)

    client.meta.events.register("before-send.secrets-manager.GetSecretValue", capture)
    client.get_secret_value(SecretId="DB_PASSWORD")
    session = requests.Session()

    def call() -> None:
        response = session.post(captured["url"], headers=captured["headers"], data=captured["body"])
        assert response.json()["SecretString"] == "hunter2"

    call()
    latency = best_per_request(call)
    server.stop()
    stops = []
    for _ in range(STOPS):
        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        requests.Session().get(f"http://127.0.0.1:{port}/moto-api/")
        time.sleep(IDLE)
        start = time.perf_counter()
        server.stop()
        stops.append(time.perf_counter() - start)
    return latency, statistics.median(stops)


def main() -> int:
    try:
        import moto as _  # noqa: F401
    except ImportError:
        print("bench_server needs moto: pip install -e '.[bench]'")
        return 1
    our_latency, our_stop = measure(start_ours)
    moto_latency, moto_stop = moto()
    ok = report(
        "one secret over HTTP on loopback, per request: ours vs moto GetSecretValue",
        our_latency,
        moto_latency,
        "moto",
        0.5,
    )
    print(f"shutdown with an idle keep-alive connection open, median of {STOPS}")
    print(f"  ours   {our_stop * 1e3:10.3f} ms   (target <= 50 ms)  {'OK' if our_stop <= 0.05 else 'OVER TARGET'}")
    print(f"  moto   {moto_stop * 1e3:10.3f} ms")
    print(f"  ratio  {our_stop / moto_stop:10.3f}x")
    alternatives = [("cheroot", start_cheroot), ("waitress", start_waitress)]
    available = [(name, start) for name, start in alternatives if importlib.util.find_spec(name) is not None]
    if available:
        print("the same fake on other servers (a minimal WSGI adapter): per request, stop")
        print(f"  ours     {our_latency * 1e3:8.3f} ms  {our_stop * 1e3:10.3f} ms")
        for name, start in available:
            latency, stop = measure(start)
            print(f"  {name:<8} {latency * 1e3:8.3f} ms  {stop * 1e3:10.3f} ms")
    return 0 if ok and our_stop <= 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
