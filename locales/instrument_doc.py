"""Write docs/instrument-texts.md from the locales: every clinical text side by side (reference
meaning, English, Czech, and the caregiver's wording in both), with the short word each answer
button carries, so that a reviewer checks the texts without reading .ftl files.

    python -m locales.instrument_doc            # rewrite docs/instrument-texts.md
    python -m locales.instrument_doc --check    # exit 1 when the file is out of date

The reference meanings are those of shared/reference/alsfrs.md (the original ALSFRS, 1996).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from conversations.domain.instrument import ITEMS, LEVELS, Item
from conversations.domain.symptoms import CATALOGUE, Severity
from locales import Translator, translator

__all__ = ["DOC", "REFERENCE", "main", "render"]

DOC: Final = Path(__file__).resolve().parents[1] / "docs" / "instrument-texts.md"

# shared/reference/alsfrs.md, "The ten items and the meaning of each level": levels 4, 3, 2, 1, 0.
REFERENCE: Final[dict[str, tuple[str, str, str, str, str]]] = {
    "speech": (
        "normal speech",
        "detectable speech disturbance",
        "intelligible only with repeating",
        "speech combined with non-vocal communication",
        "no useful speech",
    ),
    "salivation": (
        "normal",
        "slight but definite excess of saliva in the mouth; may drool at night",
        "moderately excessive saliva; may have minimal drooling",
        "marked excess of saliva with some drooling",
        "marked drooling; needs a tissue or handkerchief all the time",
    ),
    "swallowing": (
        "normal eating habits",
        "early eating problems, occasional choking",
        "changes in food consistency needed",
        "needs supplemental tube feeding",
        "nothing by mouth (only tube or parenteral feeding)",
    ),
    "handwriting": (
        "normal",
        "slow or sloppy; all words legible",
        "not all words legible",
        "able to grip a pen but unable to write",
        "unable to grip a pen",
    ),
    "cutting": (
        "normal",
        "somewhat slow and clumsy, but no help needed",
        "can cut most foods, slow and clumsy, some help needed",
        "food must be cut by someone, can still feed slowly",
        "needs to be fed",
    ),
    "cutting-tube": (
        "normal",
        "clumsy, but able to perform all manipulations alone",
        "some help needed with closures and fasteners",
        "provides minimal help to the caregiver",
        "unable to perform any part of the task",
    ),
    "dressing": (
        "normal function",
        "independent, complete self-care with effort or reduced efficiency",
        "intermittent assistance or substitute methods",
        "needs an attendant for self-care",
        "total dependence",
    ),
    "turning": (
        "normal",
        "somewhat slow and clumsy, but no help needed",
        "can turn alone or adjust sheets, but with great difficulty",
        "can initiate, but not turn or adjust sheets alone",
        "helpless",
    ),
    "walking": (
        "normal",
        "early ambulation difficulties",
        "walks with assistance",
        "non-ambulatory functional movement only",
        "no purposeful leg movement",
    ),
    "stairs": ("normal", "slow", "mild unsteadiness or fatigue", "needs assistance", "cannot do"),
    "breathing": (
        "normal",
        "shortness of breath with minimal exertion (for example walking, talking)",
        "shortness of breath at rest",
        "intermittent ventilatory assistance (for example at night)",
        "ventilator dependent",
    ),
}

_SYMPTOM_MEANING: Final = {
    "headache": "headache",
    "injection_site": "pain, swelling, redness or leaking at the injection site",
    "meningism": "stiff neck with fever, or light hurting the eyes",
    "leg_weakness": "new weakness or numbness of the legs",
    "bladder": "new loss of bladder control",
    "breathing": "breathing much harder than usual",
    "fever": "fever or chills",
    "neck_arm": "neck pain, or pain or tingling down the arms",
    "urination": "burning or frequent urination",
    "sweating": "unusual heavy sweating",
    "other": "something else (free text)",
}


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _with_button(t: Translator, full: str, short_key: str) -> str:
    return f"{full} — button: **{t(short_key)}**"


def _item_rows(en: Translator, cs: Translator, it: Item) -> list[str]:
    number = it.variant.value if it.variant else str(it.number)
    rows = [
        _row(
            [
                f"{number} {en(it.name_key)}",
                "question",
                "",
                en(it.question_key(proxy=False)),
                cs(it.question_key(proxy=False)),
                en(it.question_key(proxy=True)),
                cs(it.question_key(proxy=True)),
            ]
        )
    ]
    for score, meaning in zip(LEVELS, REFERENCE[it.slug], strict=True):
        texts = [_with_button(t, t(it.level_key(score)), it.short_key(score)) for t in (en, cs)]
        rows.append(_row([number, str(score), meaning, *texts, "same", "same"]))
    return rows


def render() -> str:
    """The whole document, from the locales as they are now."""
    en, cs = translator("en"), translator("cs")
    head = [
        "# Instrument texts side by side",
        "",
        "Generated from `locales/*/` by `python -m locales.instrument_doc`; do not edit by hand",
        "(a test fails when this file is out of date). Level texts are neutral: the caregiver",
        'reads the same level texts ("same"), with questions about the person cared for.',
        "Each answer button carries the score and the short word shown; the full text is in",
        "the message.",
        "",
        "## ALSFRS items (original 1996 scale)",
        "",
        "| item | level | reference meaning | en | cs | en caregiver | cs caregiver |",
        "|---|---|---|---|---|---|---|",
    ]
    lines = list(head)
    for it in ITEMS:
        lines += _item_rows(en, cs, it)
    lines += [
        "",
        "## Gastrostomy question (chooses item 5a or 5b)",
        "",
        "| text | en | cs | en caregiver | cs caregiver |",
        "|---|---|---|---|---|",
        _row(
            [
                "question",
                en("tube-question"),
                cs("tube-question"),
                en("tube-question-proxy"),
                cs("tube-question-proxy"),
            ]
        ),
        _row(["yes", en("tube-yes"), cs("tube-yes"), "same", "same"]),
        _row(["no", en("tube-no"), cs("tube-no"), "same", "same"]),
        "",
        "## Adverse symptoms",
        "",
        "| symptom | reference meaning | en | cs | en caregiver | cs caregiver |",
        "|---|---|---|---|---|---|",
    ]
    for entry in CATALOGUE:
        short = entry.label_key(proxy=False) + "-short"
        lines.append(
            _row(
                [
                    entry.id,
                    _SYMPTOM_MEANING[entry.id],
                    _with_button(en, en(entry.label_key(proxy=False)), short),
                    _with_button(cs, cs(entry.label_key(proxy=False)), short),
                    en(entry.label_key(proxy=True)),
                    cs(entry.label_key(proxy=True)),
                ]
            )
        )
    lines += [
        "",
        "## Severity of a symptom (stored 1-3)",
        "",
        "| stored | en | cs |",
        "|---|---|---|",
    ]
    for severity in Severity:
        lines.append(
            _row(
                [
                    str(severity.value),
                    f"**{en(severity.name_key)}**: {en(severity.explanation_key)}",
                    f"**{cs(severity.name_key)}**: {cs(severity.explanation_key)}",
                ]
            )
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    text = render()
    if args == ["--check"]:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is out of date: run python -m locales.instrument_doc", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
