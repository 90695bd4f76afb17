"""``crampcheck kb check``: every problem a curator must fix, each with its file and location.

On top of loading (schema, unknown ids, probabilities out of range, vocabulary ids not modelled) it checks the
cross-file contract: every cited source exists, every text has its translation, every finding can be asked,
every condition has advice, and no two conditions are indistinguishable by every finding.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from pathlib import Path

from crampcheck.kb.load import Problem, collect
from crampcheck.kb.schema import LANGS, KnowledgeBase, Text, TextList, expr_findings

INDISTINGUISHABLE_LOG_LR = 0.05  # two conditions whose every finding's likelihood ratio differs less than this


# the reason sentences the result needs (crampcheck.assess)
REASON_KEYS = ("probable", "likely_cause", "possible_cause", "because")


def _text_missing(t: Text | TextList) -> list[str]:
    return [lang for lang in LANGS if not getattr(t, lang)]


def check(root: Path | None = None) -> tuple[list[Problem], str | None]:
    kb, problems = collect(root)
    if kb is None:
        return problems, None
    problems = list(problems)
    problems += semantic_problems(kb)
    return problems, kb.version


def semantic_problems(kb: KnowledgeBase) -> list[Problem]:
    out: list[Problem] = []
    refs = kb.references

    def need_ref(file: str, where: str, rid: str) -> None:
        if rid not in refs:
            out.append(Problem(file, where, f"unknown source '{rid}' (not in references.yaml)"))

    # sources
    for cid, cond in kb.conditions.items():
        for r in cond.references:
            need_ref(f"conditions/{cid}.yaml", "references", r)
        for fid, link in cond.links.items():
            for r in link.sources:
                need_ref("model/links.yaml", f"{cid}.{fid}", r)
        if not cond.references:
            out.append(Problem(f"conditions/{cid}.yaml", "references", "condition cites no source"))
    for a in kb.advice.values():
        for r in a.sources:
            need_ref(kb.advice_files.get(a.id, "advice"), a.id, r)
        for ac in a.conditions:
            if ac not in kb.conditions:
                out.append(Problem(kb.advice_files.get(a.id, "advice"), a.id, f"unknown condition '{ac}'"))
    out += advice_context_problems(kb)
    for rule in kb.rules:
        for r in rule.sources:
            need_ref("model/rules.yaml", rule.id, r)
        if not rule.sources and not rule.policy:
            out.append(Problem("model/rules.yaml", rule.id, "rule has no source and is not marked 'policy: true'"))
        for f in expr_findings(rule.when, kb.rule_sets):
            if f not in kb.findings:
                out.append(Problem("model/rules.yaml", rule.id, f"unknown finding '{f}'"))
        for rc in rule.conditions:
            if rc not in kb.conditions:
                out.append(Problem("model/rules.yaml", rule.id, f"unknown condition '{rc}'"))
        if rule.level in ("urgent", "emergency") and not rule.conditions and rule.outside_model is None:
            out.append(
                Problem(
                    "model/rules.yaml",
                    rule.id,
                    "a red-flag rule must name the conditions it is about ('conditions') or the danger outside "
                    "the model ('outside_model')",
                )
            )
        for sup in rule.suppresses:
            if sup not in {r.id for r in kb.rules}:
                out.append(Problem("model/rules.yaml", rule.id, f"suppresses unknown rule '{sup}'"))
    for key in REASON_KEYS:
        if key not in kb.reason_texts:
            out.append(Problem("text/triage.yaml", f"reasons.{key}", "missing reason sentence"))
    for cid, cond in kb.conditions.items():
        for line in [*cond.triage.escalate, *cond.triage.deescalate]:
            for f in expr_findings(line.when, kb.rule_sets):
                if f not in kb.findings:
                    out.append(Problem("model/condition_triage.yaml", cid, f"unknown finding '{f}'"))
    for cid, ex_groups in kb.exclusions.items():
        for gi, ex in enumerate(ex_groups):
            for r in ex.sources:
                need_ref("model/exclusions.yaml", f"{cid}[{gi}]", r)
    if kb.leak_floor is not None:
        for r in kb.leak_floor.sources:
            need_ref("model/leak_floor.yaml", "sources", r)
    for claim in kb.article:
        for r in claim.sources:
            need_ref("article.yaml", claim.id, r)
        rb = claim.represented_by
        for rc in rb.conditions:
            if rc not in kb.conditions:
                out.append(Problem("article.yaml", claim.id, f"unknown condition '{rc}'"))
        for rf in rb.findings:
            if rf not in kb.findings:
                out.append(Problem("article.yaml", claim.id, f"unknown finding '{rf}'"))
        for ra in rb.advice:
            if ra not in kb.advice:
                out.append(Problem("article.yaml", claim.id, f"unknown advice '{ra}'"))
        if not (rb.conditions or rb.findings or rb.advice):
            out.append(
                Problem("article.yaml", claim.id, "claim is not represented by any condition, finding or advice")
            )

    # translations
    for cid, cond in kb.conditions.items():
        for field in ("name", "summary", "description"):
            for lang in _text_missing(getattr(cond, field)):
                out.append(Problem(f"conditions/{cid}.yaml", field, f"missing '{lang}' text", "warning"))
    for fid, finding in kb.findings.items():
        for field in ("question", "label", "plain"):
            for lang in _text_missing(getattr(finding, field)):
                out.append(Problem("text/findings.yaml", f"{fid}.{field}", f"missing '{lang}' text", "warning"))
        # an explanation lists an absent finding in its own words: never "no " + plain (double negatives)
        for lang in _text_missing(finding.negative):
            out.append(Problem("text/findings.yaml", f"{fid}.negative", f"missing '{lang}' negative wording"))
    for a in kb.advice.values():
        for field in ("text", "evidence_note"):
            for lang in _text_missing(getattr(a, field)):
                out.append(
                    Problem(
                        kb.advice_files.get(a.id, "advice"), f"{a.id}.{field}", f"missing '{lang}' text", "warning"
                    )
                )
    for rule in kb.rules:
        for lang in _text_missing(rule.text):
            out.append(Problem("model/rules.yaml", f"{rule.id}.text", f"missing '{lang}' text", "warning"))
    for gid, g in kb.groups.items():
        for lang in _text_missing(g.text):
            out.append(Problem("text/questions.yaml", gid, f"missing '{lang}' text", "warning"))
        for gf in g.findings:
            if gf not in kb.findings:
                out.append(Problem("text/questions.yaml", gid, f"unknown finding '{gf}'"))
    for lvl in ("self_care", "doctor", "urgent", "emergency"):
        if lvl not in kb.triage_text:
            out.append(Problem("text/triage.yaml", lvl, "triage level has no label/message"))
    out += _interface_translations()

    # advice coverage
    for cid in kb.conditions:
        if not any(cid in a.conditions for a in kb.advice.values()):
            out.append(Problem("advice", cid, f"condition '{cid}' has no advice item", "warning"))

    # conditions that no finding can tell apart
    ids = list(kb.conditions)
    vecs: dict[str, dict[str, float]] = {}
    for cid in ids:
        vecs[cid] = {
            fid: math.log(max(link.p, 1e-9) / max(kb.findings[fid].leak.ref or 1e-9, 1e-9))
            for fid, link in kb.conditions[cid].links.items()
            if fid in kb.findings
        }
    for i, ca in enumerate(ids):
        for cb in ids[i + 1 :]:
            keys = set(vecs[ca]) | set(vecs[cb])
            diff = max((abs(vecs[ca].get(k, 0.0) - vecs[cb].get(k, 0.0)) for k in keys), default=0.0)
            if diff < INDISTINGUISHABLE_LOG_LR:
                out.append(
                    Problem("model/links.yaml", f"{ca} / {cb}", "no finding can tell these two conditions apart")
                )
    return out


def advice_context_problems(kb: KnowledgeBase) -> list[Problem]:
    """The fields that fit advice to the person (``not_with``, ages, ``requires_any``, ``replaced_by``,
    ``safety``) name known ids and make sense together."""
    out: list[Problem] = []
    for a in kb.advice.values():
        file = kb.advice_files.get(a.id, "advice")

        def err(field: str, msg: str, file: str = file, aid: str = a.id) -> None:
            out.append(Problem(file, f"{aid}.{field}", msg))

        for c in a.not_with or ():
            if c not in kb.conditions:
                err("not_with", f"unknown condition '{c}'{_suggest(c, kb.conditions)}")
        if a.not_with is not None and len(set(a.not_with)) != len(a.not_with):
            err("not_with", "a condition is listed twice")
        if a.not_with is None and a.kind in ("now", "prevent") and not a.safety and not a.levels:
            err(
                "not_with",
                f"a '{a.kind}' item needs 'not_with': the conditions beside which it must not be shown "
                "(for comfort and self-care measures: clots, heat illness, muscle breakdown, a leg short of "
                "blood, tetanus, rabies, fits ...), or [] once checked that it is safe beside every condition",
            )
        if a.safety and a.not_with:
            err("not_with", "a safety item is never hidden beside a danger; remove 'not_with' or 'safety'")
        for f in a.requires_any:
            if f not in kb.findings:
                err("requires_any", f"unknown finding '{f}'{_suggest(f, kb.findings)}")
        if len(set(a.requires_any)) != len(a.requires_any):
            err("requires_any", "a finding is listed twice")
        if a.levels and (a.min_age is not None or a.max_age is not None or a.requires_any):
            err(
                "levels",
                "an item tied to a triage level must reach everyone at that level (no ages or requires_any)",
            )
        for r in a.replaced_by:
            if r == a.id:
                err("replaced_by", "an item cannot replace itself")
            elif r not in kb.advice:
                err("replaced_by", f"unknown advice '{r}'{_suggest(r, kb.advice)}")
            elif kb.advice[r].replaced_by:
                err(
                    "replaced_by",
                    f"'{r}' is itself replaced by {kb.advice[r].replaced_by}; replace by the last one",
                )
    return out


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _interface_translations() -> list[Problem]:
    """Every interface string marked for translation in the code has its Chinese translation."""
    from crampcheck.i18n import LOCALE_DIR, catalog

    po = LOCALE_DIR / "zh" / "LC_MESSAGES" / "crampcheck.po"
    if not po.exists():
        return [Problem(str(po.name), "", "interface translation catalogue for 'zh' is missing")]
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        cat = read_po(fh, locale="zh")
    have = catalog("zh")
    return [
        Problem("locale/zh/LC_MESSAGES/crampcheck.po", str(m.id), "missing 'zh' translation", "warning")
        for m in cat
        if m.id and str(m.id) not in have
    ]
