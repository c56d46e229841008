"""What the exporter must still do: notices, certifications, reports and records, each with its citation."""

from __future__ import annotations

from aidf.cite import ECCN_ON_INVOICE, EXPORT_RECORDS
from aidf.meters import MILLI, aia_account
from aidf.model import AccountRef, Duty
from aidf.rules.facts import Facts, Line

# The facts duties_for reads (paths into Facts and Line, rules/facts.py); a test holds it to them.
READS = frozenset({
    "consignee.key", "dest_tier", "line.amount", "line.cls.eccn", "line.cls.is_weights", "line.cls.level",
    "line.index", "line.item.model_weights", "p", "ruleset", "tx.end_use", "view",
})

AIA = "part740/aia"


def _d(what: str, cite: str, when: str, kind: str, line: int) -> Duty:
    return Duty.model_construct(what=what, cite=cite, when=when, kind=kind, line=line)  # typed by construction


def aia_tally_account(f: Facts) -> AccountRef:
    return aia_account(f.consignee.key)


def duties_for(line: Line, f: Facts, authorization: str | None, outcome: str) -> list[Duty]:
    """The duties one decided line brings."""
    i, cls = line.index, line.cls
    out: list[Duty] = _invoice(i, cls)
    if authorization == "AIA":
        if cls.is_weights:
            if line.item.model_weights.storage_meets_supp10_14_15_18 is not None or f.dest_tier != 1:
                out.append(_d("Store the weights in a facility meeting Supp. No. 10 to Part 748 paras 14, 15 and 18",
                              "15 CFR 740.27(a)(3)(ii)", "while held", "condition", i))
        else:
            out += [
                _d("Give the ultimate consignee the ECCN of the items (once, while accurate)", "15 CFR 740.27(b)(1)", "before first use", "notice", i),
                _d("Obtain the ultimate consignee's one-time AIA certification (no diversion, no 4E091-scale training or "
                   "onward transfer for entities outside Tier 1, signed and dated)", "15 CFR 740.27(b)(2)", "before first use", "certification", i),
                _d("Tell the consignee in writing that the shipment goes under AIA, naming the items", "15 CFR 740.27(b)(3)",
                   "with each shipment", "notice", i),
            ]
            out += _aia_report(line, f)
            if f.tx.end_use == "frontier_training":
                out.append(_d("Do not use the items, or IaaS on them, to train 4E091-scale models for entities headquartered "
                              "or located outside Tier 1 without BIS authorization; ask customers whether they will export "
                              "the weights", "15 CFR 740.27(b)(2)(iii); Supp. No. 3 to Part 732, Red Flag 28",
                              "ongoing", "condition", i))
        out.append(_d("Keep AIA records", "15 CFR 762.2(b)(58)", "five years", "records", i))
    elif authorization == "ACM":
        months = f.p.get("part740/acm", "record_update_months")
        out += [_d(f"Account for units into and out of each facility; update the records at least every {months} months",
                   "15 CFR 740.28", "ongoing", "records", i),
                _d("The items must be bound for customers outside Macau and D:5", "15 CFR 740.28", "ongoing", "condition", i),
                _d("Keep ACM records", "15 CFR 762.2(b)(59)", "five years", "records", i)]
    elif authorization == "NAC":
        days = f.p.get("part740/nac_aca", "nac_notice_days")
        out += [_d(f"File the NAC notice in SNAP-R at least {days} days before shipping, with TPP, performance density and "
                   "a datasheet showing datacenter design or marketing", "15 CFR 740.8(a)", f"{days} days before", "notice", i),
                _d("Hold a written purchase order", "15 CFR 740.8", "before shipping", "records", i)]
    elif authorization == "ACA":
        out.append(_d("Hold a written purchase order", "15 CFR 740.8", "before shipping", "records", i))
    elif authorization == "LPP":
        code = f.p.get("part740/lpp", "aes_code")
        cap = f.p.get("part740/lpp", "annual_tpp_cap")
        out += [_d(f"Obtain the consignee's certification that this shipment keeps it within {cap:,} TPP this calendar year",
                   "15 CFR 740.29 (S-FGX)", "before shipping", "certification", i),
                _d("The consignee notifies BIS when it reaches the annual limit", "15 CFR 740.29 (S-FGX)", "on reaching it", "notice", i),
                _d(f"Report license exception code {code} in AES", "15 CFR 758.1; 740.29 (S-FGX)", "at filing", "notice", i),
                _d("Keep LPP records", "15 CFR 762.2(b)(60)", "five years", "records", i)]
        notice = f.p.entry("part740/lpp", "single_shipment_notice_tpp")
        if line.amount >= int(notice.value) * MILLI:
            f.warn(f"a shipment of {notice.value:,} TPP or more may need a BIS notice under LPP; the figure is {notice.status} "
                   f"({notice.cite}) and never blocks")
    elif authorization in ("UVEU", "NVEU"):
        out += [_d("Obtain the VEU's end-use certification (Supp. No. 8 to Part 748)", "15 CFR 748.15", "before first shipment", "certification", i),
                _d("Notify the VEU in writing of the shipment's contents and ECCNs", "15 CFR 748.15", "with each shipment", "notice", i),
                _d("The VEU reports semi-annually: inventory received and dates" + (" and current customers" if authorization == "NVEU" else ""),
                   "15 CFR 748.15", "15 July and 15 January", "report", i)]
    if outcome in ("LICENSE_REQUIRED", "NEEDS_REVIEW"):
        out += hold_duties(i)
    return out + _records(i, cls)


def standing_duties(i: int, cls) -> list[Duty]:
    """The duties a classified line brings whatever authorizes it (758.6(a)(2), 762.2(a))."""
    return _invoice(i, cls) + _records(i, cls)


def _invoice(i: int, cls) -> list[Duty]:
    if cls.level and not cls.is_weights:
        return [_d(f"State ECCN {cls.eccn} on the commercial invoice", str(ECCN_ON_INVOICE), "with each shipment", "notice", i)]
    return []


def _records(i: int, cls) -> list[Duty]:
    return [_d("Keep the export records", str(EXPORT_RECORDS), "five years", "records", i)] if cls.eccn else []


def hold_duties(line: int) -> list[Duty]:
    return [_d("Hold the shipment until a license is granted or the review is closed", "15 CFR 748.1; 750",
               "before shipping", "hold", line)]


def _aia_report(line: Line, f: Facts) -> list[Duty]:
    """740.27(c): email the certification to BIS when the consignee's cumulative (a)(1) TPP reaches 253,000,000."""
    trigger = f.p.entry(AIA, "certification_report_tpp")
    comparator = f.p.entry(AIA, "certification_report_comparator")
    before = f.view.used(aia_tally_account(f))
    after = before + line.amount
    limit = int(trigger.value) * MILLI
    # Only the shipment that crosses the line brings the report; earlier ones are below it, later ones past it.
    reached = before < limit <= after if comparator.value == "at_least" else before <= limit < after
    if not reached:
        return []
    f.rests_on(comparator, "the AIA certification report")
    return [_d("Email the AIA certification to EARReports@bis.doc.gov (subject 'AIA Certification') before this export: "
               f"cumulative TPP to the consignee reaches {trigger.value:,}", "15 CFR 740.27(c)", "before the export", "report", line.index)]
