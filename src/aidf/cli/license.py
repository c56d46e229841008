"""`aidf license ...`: licenses and the TPP drawn on them.

Amounts are TPP as typed (decimals to 1/1000); bad input is one line `error: <field>: <reason>`, exit 2.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from aidf.cli.ledger_args import (
    ActorOpt,
    JsonOpt,
    LedgerOpt,
    actor_name,
    guarded,
    opened,
    parse_date,
    parse_tpp,
    print_json,
    rows_table,
    tpp,
)

license_app = typer.Typer(no_args_is_help=True, help="Licenses and the TPP drawn on them.")


def register(app: typer.Typer) -> None:
    """Add `aidf license` to the main app."""
    app.add_typer(license_app, name="license")


@license_app.command("add")
@guarded
def license_add(number: str,
                amount: Annotated[str, typer.Option("--tpp", help="TPP the license authorizes")],
                valid_from: Annotated[str, typer.Option("--valid-from")],
                valid_to: Annotated[str, typer.Option("--valid-to")],
                consignee: Annotated[str | None, typer.Option(help="ultimate consignee")] = None,
                end_user: Annotated[str | None, typer.Option("--end-user")] = None,
                country: Annotated[str | None, typer.Option(help="destination country")] = None,
                condition: Annotated[list[str] | None, typer.Option(help="a condition (repeatable)")] = None,
                ledger: LedgerOpt = None, actor: ActorOpt = None) -> None:
    """Record a license (15 CFR part 750)."""
    parties = {k: v for k, v in {"ultimate_consignee": consignee, "end_user": end_user,
                                 "country": country}.items() if v}
    lic = opened(ledger).record_license(number, parse_tpp(amount, "--tpp"), parties=parties,
                                       valid_from=parse_date(valid_from, "--valid-from"),
                                       valid_to=parse_date(valid_to, "--valid-to"),
                                       conditions=condition or [], actor=actor_name(actor))
    typer.echo(f"license {lic['number']}: {tpp(lic['amount'])} TPP, {lic['valid_from']} to {lic['valid_to']}")


@license_app.command("list")
@guarded
def license_list(ledger: LedgerOpt = None, as_json: JsonOpt = False) -> None:
    """Licenses with used and remaining TPP."""
    rows = opened(ledger).licenses()
    if as_json:
        return print_json(rows)
    rows_table("licenses", ["license", "TPP", "used TPP", "remaining TPP", "valid", "parties"],
           [[r["number"], tpp(r["amount"]), tpp(r["used"]), tpp(r["remaining"]),
             f"{r['valid_from']} to {r['valid_to']}", json.dumps(r["parties"])] for r in rows])


@license_app.command("show")
@guarded
def license_show(number: str, ledger: LedgerOpt = None, as_json: JsonOpt = False) -> None:
    """One license with its usage history."""
    from aidf.ledger.common import from_us
    lic = opened(ledger).license(number)
    if as_json:
        return print_json(lic)
    rows_table(f"license {number}", ["TPP", "used TPP", "remaining TPP", "valid", "conditions"],
           [[tpp(lic["amount"]), tpp(lic["used"]), tpp(lic["remaining"]),
             f"{lic['valid_from']} to {lic['valid_to']}", "; ".join(lic["conditions"])]])
    rows_table("usage", ["transfer", "transaction", "TPP", "as of", "at", "by"],
           [[h["id"], h["transaction_id"], tpp(h["amount"]), h["as_of"], from_us(h["at_us"]), h["actor"]]
            for h in lic["history"]])
