"""`aidf hold ...`: shipments on hold pending a license or review.

Amounts and refusals as in `aidf.cli.ledger_args`.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from aidf.cli import ledger_args as args
from aidf.errors import InputError

hold_app = typer.Typer(no_args_is_help=True, help="Shipments on hold pending a license or review.")


def register(app: typer.Typer) -> None:
    """Add `aidf hold` to the main app."""
    app.add_typer(hold_app, name="hold")


@hold_app.command("list")
@args.guarded
def hold_list(ledger: args.LedgerOpt = None,
              status: Annotated[str, typer.Option(help="open | released | all")] = "open",
              as_json: args.JsonOpt = False) -> None:
    """Holds awaiting a license or review."""
    if status not in ("open", "released", "all"):
        raise InputError("--status", "must be open, released or all")
    rows = args.opened(ledger).holds(status)
    if as_json:
        return args.print_json(rows)
    from aidf.people import hold_reason
    args.rows_table(f"holds ({status})", ["transaction", "reason", "placed", "by", "status", "release"],
                    [[h["transaction_id"], hold_reason(h["reason"]), h["placed_at"], h["placed_by"], h["status"],
                      _release_text(h.get("release"))] for h in rows])


def _release_text(rel: dict[str, Any] | None) -> str:
    if not rel:
        return ""
    what = f"license {rel['license']}" if rel["how"] == "license" else f"override: {rel['reason']}"
    return f"{what} ({rel['by']})"


@hold_app.command("release")
@args.guarded
def hold_release(transaction_id: str,
                 license: Annotated[str | None, typer.Option("--license", help="license number to draw on")] = None,
                 override: Annotated[str | None, typer.Option("--override", help="written reason")] = None,
                 amount: Annotated[str | None, typer.Option("--tpp", help="TPP to draw (default: from the "
                                                                          "held decision)")] = None,
                 ledger: args.LedgerOpt = None, actor: args.ActorOpt = None) -> None:
    """Release a hold by a license (drawing on it) or by an override with a written reason."""
    if (license is None) == (override is None):
        raise InputError("--license/--override", "give exactly one")
    if override is not None and not override.strip():
        raise InputError("--override", "an override needs a written reason")
    milli = args.parse_tpp(amount, "--tpp") if amount is not None else None
    h = args.opened(ledger).release_hold(transaction_id, license=license, override=override, amount=milli,
                                         actor=args.actor_name(actor))
    typer.echo(f"released {transaction_id}: {_release_text(h['release'])}")
