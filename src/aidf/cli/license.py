"""`aidf license ...`: licenses and the TPP drawn on them.

Amounts and refusals as in `aidf.cli.ledger_args`.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from aidf.cli import ledger_args as args

license_app = typer.Typer(no_args_is_help=True, help="Licenses and the TPP drawn on them.")


def register(app: typer.Typer) -> None:
    """Add `aidf license` to the main app."""
    app.add_typer(license_app, name="license")


@license_app.command("add")
@args.guarded
def license_add(number: str,
                amount: Annotated[str, typer.Option("--tpp", help="TPP the license authorizes")],
                valid_from: Annotated[str, typer.Option("--valid-from")],
                valid_to: Annotated[str, typer.Option("--valid-to")],
                consignee: Annotated[str | None, typer.Option(help="ultimate consignee")] = None,
                end_user: Annotated[str | None, typer.Option("--end-user")] = None,
                country: Annotated[str | None, typer.Option(help="destination country")] = None,
                condition: Annotated[list[str] | None, typer.Option(help="a condition (repeatable)")] = None,
                ledger: args.LedgerOpt = None, actor: args.ActorOpt = None) -> None:
    """Record a license (15 CFR part 750)."""
    parties = {k: v for k, v in {"ultimate_consignee": consignee, "end_user": end_user,
                                 "country": country}.items() if v}
    lic = args.opened(ledger).record_license(number, args.parse_tpp(amount, "--tpp"), parties=parties,
                                             valid_from=args.parse_date(valid_from, "--valid-from"),
                                             valid_to=args.parse_date(valid_to, "--valid-to"),
                                             conditions=condition or [], actor=args.actor_name(actor))
    typer.echo(f"license {lic['number']}: {args.tpp(lic['amount'])} TPP, {lic['valid_from']} to {lic['valid_to']}")


@license_app.command("list")
@args.guarded
def license_list(ledger: args.LedgerOpt = None, as_json: args.JsonOpt = False) -> None:
    """Licenses with used and remaining TPP."""
    rows = args.opened(ledger).licenses()
    if as_json:
        return args.print_json(rows)
    args.rows_table("licenses", ["license", "TPP", "used TPP", "remaining TPP", "valid", "parties"],
                    [[r["number"], args.tpp(r["amount"]), args.tpp(r["used"]), args.tpp(r["remaining"]),
                      f"{r['valid_from']} to {r['valid_to']}", json.dumps(r["parties"])] for r in rows])


@license_app.command("show")
@args.guarded
def license_show(number: str, ledger: args.LedgerOpt = None, as_json: args.JsonOpt = False) -> None:
    """One license with its usage history."""
    from aidf.ledger.common import from_us
    lic = args.opened(ledger).license(number)
    if as_json:
        return args.print_json(lic)
    args.rows_table(f"license {number}", ["TPP", "used TPP", "remaining TPP", "valid", "conditions"],
                    [[args.tpp(lic["amount"]), args.tpp(lic["used"]), args.tpp(lic["remaining"]),
                      f"{lic['valid_from']} to {lic['valid_to']}", "; ".join(lic["conditions"])]])
    args.rows_table("usage", ["transfer", "transaction", "TPP", "as of", "at", "by"],
                    [[h["id"], h["transaction_id"], args.tpp(h["amount"]), h["as_of"], from_us(h["at_us"]), h["actor"]]
                     for h in lic["history"]])
