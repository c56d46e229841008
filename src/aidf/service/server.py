"""Run the service with uvicorn; refuse the keyless local dashboard on any non-loopback address.

`aidf serve --workers N` (or `python -m aidf.service.server --workers N`) serves the API and the
dashboard from N processes over the ledger named by $AIDF_LEDGER: keys and dashboard sessions live
in the database, so any worker may answer any request.
"""

from __future__ import annotations

import ipaddress
import socket

from aidf.errors import InputError


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def listen(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A listening TCP socket made with proto=IPPROTO_TCP.

    uvicorn's own bind for --workers leaves proto 0, and asyncio turns TCP_NODELAY on only for
    accepted sockets that say they are TCP: without it each keep-alive answer (headers, then body)
    waits ~40 ms for the client's delayed ACK. With `reuse_port` each worker binds its own socket on
    the same port and the kernel spreads new connections over them; one shared socket would hand
    a burst of connections to whichever worker wakes first, leaving the others idle.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


def _config(host: str, port: int, log_level: str):
    import uvicorn

    return uvicorn.Config("aidf.service.app:create_app", factory=True, host=host, port=port,
                          log_level=log_level, access_log=False)


def _worker(host: str, port: int, log_level: str) -> None:
    import uvicorn

    uvicorn.Server(_config(host, port, log_level)).run(sockets=[listen(host, port, reuse_port=True)])


def serve_workers(*, host: str = "127.0.0.1", port: int = 8000, workers: int = 2, log_level: str = "warning") -> None:
    """Serve `create_app()` (ledger and keys from $AIDF_LEDGER) from `workers` uvicorn processes.

    Each worker listens on its own SO_REUSEPORT socket. A worker that dies is started again; one that
    dies within seconds of starting stops the lot (it would only die again). SIGTERM or SIGINT
    stops the workers gracefully."""
    import multiprocessing
    import signal
    import time

    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        import uvicorn

        uvicorn.Server(_config(host, port, log_level)).run(sockets=[listen(host, port)])
        return
    if port == 0:
        raise ValueError("workers sharing a port need a fixed --port")
    from aidf.service.core import Service

    Service().close()  # migrate the ledger and make the key tables once, before the workers race to
    ctx = multiprocessing.get_context("spawn")
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    def start():
        p = ctx.Process(target=_worker, args=(host, port, log_level), name="aidf-worker")
        p.start()
        return p, time.monotonic()

    procs = [start() for _ in range(workers)]
    failed = False
    while not stop and not failed:
        time.sleep(0.2)
        for i, (p, since) in enumerate(procs):
            if not p.is_alive() and not stop:
                if time.monotonic() - since < 5:
                    failed = True
                else:
                    procs[i] = start()
    for p, _ in procs:
        p.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then exits
    for p, _ in procs:
        p.join(30)
        if p.is_alive():
            p.kill()
            p.join()
    if failed:
        raise SystemExit("a worker failed to start (see its error above)")


def build(ledger: str | None, *, host: str, open_dashboard: bool, sample: bool, keys_db: str | None = None):
    """The app, checked and (with `sample`) seeded; raises InputError on an unsafe combination."""
    if open_dashboard and not is_loopback(host):
        raise InputError("--open-dashboard-without-key", f"only allowed on a loopback address (got --host {host}); "
                         "on a shared address sign in with an API key")
    from aidf.service.app import create_app

    app = create_app(ledger, keys_db, local_dashboard=open_dashboard)
    if sample:
        from aidf.service.sample import seed_sample

        done = seed_sample(app.state.service)
        if done["transactions"]:
            print(f"sample order book: {done['transactions']} transactions booked, {done['licenses']} licenses, "
                  f"{done['releases']} holds released")
    return app


def serve(ledger: str | None, *, host: str = "127.0.0.1", port: int = 8000, open_dashboard: bool = False,
          sample: bool = False, log_level: str = "info") -> None:
    import uvicorn

    app = build(ledger, host=host, open_dashboard=open_dashboard, sample=sample)
    shown = f"[{host}]" if ":" in host else host
    print(f"aidf on http://{shown}:{port}/  (API docs: /docs; ledger: {app.state.service.label})")
    if open_dashboard:
        print("dashboard open without a key for browsers on this machine (local officer); the API still needs keys")
    uvicorn.run(app, host=host, port=port, log_level=log_level)


def main(argv: list[str] | None = None) -> None:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m aidf.service.server", description=serve_workers.__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--log-level", default="warning")
    args = ap.parse_args(argv)
    serve_workers(host=args.host, port=args.port, workers=max(1, args.workers), log_level=args.log_level)


if __name__ == "__main__":
    main()
