"""ECCN 4E091: parameters (weights) of AI models trained with 10^26 operations or more.

15 CFR 774 Supp. 1, 4E091 (added by 90 FR 4544), its exclusion notes, and the foreign direct
product rule for model weights, 15 CFR 734.9(l).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from aidf.cite import ECCN_4E091, FRAMEWORK, PUBLISHED, WEIGHTS_FDP, Noted, text
from aidf.model import ModelWeights, TraceStep
from aidf.rules.parameters import Parameters

P = "part774/eccn_4e091"
CITE = str(ECCN_4E091)
PUBLISHED_CITE = text(Noted(ECCN_4E091, ", exclusion note", ""), PUBLISHED)


@dataclass
class WeightsClass:
    controlled: bool
    indeterminate: str | None = None
    trace: list[TraceStep] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def eccn(self) -> str | None:
        return "4E091" if self.controlled else None


def _x(v: float) -> Fraction:
    return Fraction(Decimal(repr(float(v))))


def _exponent(operations: int) -> str:
    """Operations as the exclusion note writes them: 2.5e25."""
    return f"{Decimal(operations).normalize():e}".replace("e+", "e")


def derived_threshold(total_ops: Fraction, extra_ops: Fraction, base: str, p: Parameters) -> Fraction:
    """Exclusion note 1: extra training above the higher of 2.5e25 and 25% of training operations."""
    of = total_ops if base == "derived_model" else total_ops - extra_ops
    return max(p.fraction(P, "derived_abs_threshold"), p.fraction(P, "derived_fraction") * of)


def classify_weights(w: ModelWeights, p: Parameters) -> WeightsClass:
    """Decide whether model weights are 4E091: the 10^26 threshold, then the published and derived exclusions."""
    if not p.has(P, "training_operations_min"):
        return WeightsClass(False, trace=[TraceStep(rule="4E091", cite=CITE, result="not in force",
                                                    why=f"4E091 did not exist before {FRAMEWORK} (2025-01-13)")])
    threshold = p.fraction(P, "training_operations_min")
    ops = _x(w.training_operations)
    out = WeightsClass(False)
    if ops < threshold:
        out.trace.append(TraceStep(rule="4E091", cite=CITE, result="not 4E091",
                                   why=f"trained with {float(ops):.3e} operations < {float(threshold):.0e}"))
        return out
    if w.published:
        out.trace.append(TraceStep(rule="4E091 exclusion: published weights", cite=PUBLISHED_CITE,
                                   result="excluded", why="the weights have been published"))
        return out
    if w.base_model_published:
        if w.extra_training_operations is None:
            out.indeterminate = "extra_training_operations"
            out.trace.append(TraceStep(rule="4E091 exclusion: derivative of a published model",
                                       cite=f"{CITE}, exclusion note 1", result="unknown",
                                       why="derived from published weights but extra_training_operations is missing"))
            return out
        extra = _x(w.extra_training_operations)
        base = p.get(P, "derived_fraction_base")
        readings = {r: extra > derived_threshold(ops, extra, r, p) for r in ("derived_model", "base_model")}
        controlled = readings[base]
        if len(set(readings.values())) > 1:
            out.indeterminate = "derived_fraction_base"
            out.warnings.append("4E091 derivative exclusion: whether 25% is of the base or the derived model's "
                                "operations is uncertain (register U8) and the two readings differ here")
            out.trace.append(TraceStep(rule="4E091 exclusion: derivative of a published model",
                                       cite=f"{CITE}, exclusion note 1", result="unknown",
                                       why=f"extra training {float(extra):.3e}: controlled under one reading of the "
                                           "25% base and not under the other"))
            return out
        out.trace.append(TraceStep(rule="4E091 exclusion: derivative of a published model", cite=f"{CITE}, exclusion note 1",
                                   result="not excluded" if controlled else "excluded",
                                   why=f"extra training {float(extra):.3e} vs higher of {_exponent(p.get(P, 'derived_abs_threshold'))} "
                                       f"and {float(p.fraction(P, 'derived_fraction')):.0%} of training operations"))
        if not controlled:
            return out
    out.controlled = True
    out.trace.append(TraceStep(rule="4E091", cite=CITE, result="4E091",
                               why=f"closed weights trained with {float(ops):.3e} >= {float(threshold):.0e} operations"))
    out.trace.append(TraceStep(rule="foreign direct product: AI model weights", cite=str(WEIGHTS_FDP), result="flag",
                               why="foreign-made weights trained on EAR-controlled advanced chips are reached too"))
    return out
