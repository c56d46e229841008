"""Run the service with uvicorn; refuse the keyless local dashboard on any non-loopback address."""

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
