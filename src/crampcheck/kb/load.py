"""Reading the knowledge files into a validated :class:`KnowledgeBase`, collecting every problem on the way.

Every problem names its file and location, so ``crampcheck kb check`` can list them all at once; ``load_kb``
raises one :class:`KnowledgeBaseError` listing the errors. Pure: reads files, imports no interface code.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crampcheck.errors import KnowledgeBaseError
from crampcheck.kb.schema import (
    Advice,
    ArticleClaim,
    Condition,
    ConditionText,
    ConditionTriage,
    Exclusion,
    Finding,
    FindingText,
    KnowledgeBase,
    Leak,
    LeakFloor,
    Link,
    Prior,
    QuestionGroup,
    Reference,
    Rule,
    Text,
    TriageText,
)


@dataclass(frozen=True)
class Problem:
    """One problem in the knowledge files."""

    file: str
    where: str
    message: str
    severity: str = "error"  # "error" stops loading; "warning" is reported by `kb check` only

    def __str__(self) -> str:
        loc = f" at {self.where}" if self.where else ""
        return f"{self.severity}: {self.file}{loc}: {self.message}"


def default_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "knowledge"


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.digest = hashlib.sha256()

    def rel(self, p: Path) -> str:
        try:
            return str(p.relative_to(self.root))
        except ValueError:
            return str(p)

    def err(self, file: str, where: str, msg: str, severity: str = "error") -> None:
        self.problems.append(Problem(file, where, msg, severity))

    def yaml(self, rel: str, required: bool = True) -> Any:
        p = self.root / rel
        if not p.exists():
            if required:
                self.err(rel, "", "file is missing")
            return None
        raw = p.read_bytes()
        self.digest.update(rel.encode() + b"\0" + raw)
        try:
            return yaml.safe_load(raw.decode("utf-8"))
        except UnicodeDecodeError as e:
            self.err(rel, "", f"not UTF-8 text ({e.reason} at byte {e.start})")
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            self.err(rel, where, f"malformed YAML: {getattr(e, 'problem', None) or e}")
        return None

    def model(self, cls: type[Any], data: Any, file: str, where: str) -> Any:
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            for d in e.errors():
                loc = ".".join(str(x) for x in d["loc"])
                self.err(file, f"{where}.{loc}" if loc else where, d["msg"])
        return None


def _mapping(r: _Reader, data: Any, file: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        r.err(file, "", f"expected a mapping at the top level, got {type(data).__name__}")
        return {}
    return data


def _list(r: _Reader, data: Any, file: str) -> list[Any]:
    if data is None:
        return []
    if not isinstance(data, list):
        r.err(file, "", f"expected a list at the top level, got {type(data).__name__}")
        return []
    return data


def collect(root: Path | None = None) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Read every knowledge file under ``root``; return the KB (None if it cannot be built) and all problems."""
    root = Path(root) if root is not None else default_dir()
    r = _Reader(root)
    if not root.is_dir():
        r.err(str(root), "", "knowledge directory does not exist")
        return None, r.problems

    vocab = _mapping(r, r.yaml("vocabulary.yaml"), "vocabulary.yaml")
    version_file = root / "VERSION"
    base_version = version_file.read_text().strip() if version_file.exists() else "0"
    vocab_conditions = {c["id"]: c for c in vocab.get("conditions", []) if isinstance(c, dict) and "id" in c}
    vocab_findings = {f["id"]: f for f in vocab.get("findings", []) if isinstance(f, dict) and "id" in f}

    priors = _mapping(r, r.yaml("model/priors.yaml"), "model/priors.yaml")
    leaks = _mapping(r, r.yaml("model/leaks.yaml"), "model/leaks.yaml")
    links = _mapping(r, r.yaml("model/links.yaml"), "model/links.yaml")
    ctriage = _mapping(r, r.yaml("model/condition_triage.yaml"), "model/condition_triage.yaml")
    constraints = _mapping(r, r.yaml("model/constraints.yaml", required=False), "model/constraints.yaml")
    exclusions_doc = _mapping(r, r.yaml("model/exclusions.yaml", required=False), "model/exclusions.yaml")
    floor_doc = r.yaml("model/leak_floor.yaml", required=False)
    rules_doc = _mapping(r, r.yaml("model/rules.yaml"), "model/rules.yaml")
    ftext = _mapping(r, r.yaml("text/findings.yaml"), "text/findings.yaml")
    qtext = _mapping(r, r.yaml("text/questions.yaml"), "text/questions.yaml")
    ttext = _mapping(r, r.yaml("text/triage.yaml"), "text/triage.yaml")
    refs_doc = _list(r, r.yaml("references.yaml"), "references.yaml")
    article_doc = _list(r, r.yaml("article.yaml", required=False), "article.yaml")

    # findings ---------------------------------------------------------------------------------------------
    findings: dict[str, Finding] = {}
    context: list[str] = []
    pregnancy_q: dict[str, float] = {}
    for fid, vf in vocab_findings.items():
        leak_raw = leaks.get(fid)
        if leak_raw is None:
            r.err("model/leaks.yaml", fid, f"vocabulary finding '{fid}' has no leak")
            continue
        leak = r.model(Leak, leak_raw, "model/leaks.yaml", fid)
        if leak is None:
            continue
        if leak.context:
            context.append(fid)
            pregnancy_q = dict(leak.p_if_female_by_age or {})
            leak = Leak(ref=0.0)
        elif leak.ref is None:
            r.err("model/leaks.yaml", fid, "a leak needs 'ref' (the reference leak, 40-59 column)")
            continue
        t_raw = ftext.get(fid)
        if t_raw is None:
            r.err("text/findings.yaml", fid, "finding has no question/label/plain texts", "warning")
            q = Text(en=vf.get("question", fid))
            t = FindingText(question=q, label=Text(en=fid.replace("_", " ")), plain=Text(en=fid.replace("_", " ")))
        else:
            t = r.model(FindingText, t_raw, "text/findings.yaml", fid)
            if t is None:
                continue
        findings[fid] = Finding(
            id=fid,
            group=str(vf.get("group", "")),
            question=t.question,
            label=t.label,
            plain=t.plain,
            negative=t.negative,
            leak=leak,
        )
    for fid in leaks:
        if fid not in vocab_findings:
            r.err("model/leaks.yaml", fid, f"unknown finding '{fid}' (not in vocabulary.yaml)")
    leak_floor: LeakFloor | None = None
    if floor_doc is not None:
        leak_floor = r.model(LeakFloor, floor_doc, "model/leak_floor.yaml", "")
    if leak_floor is not None:
        known_groups = {f.group for f in findings.values()}
        for g in leak_floor.groups:
            if g not in known_groups:
                r.err(
                    "model/leak_floor.yaml", "groups", f"unknown finding group '{g}' (use {sorted(known_groups)})"
                )
        for fid, fnd in findings.items():
            if fnd.group in leak_floor.groups and fid not in context:
                findings[fid] = fnd.model_copy(update={"leak": fnd.leak.floored(leak_floor.value)})
    for fid in ftext:
        if fid not in vocab_findings:
            r.err("text/findings.yaml", fid, f"unknown finding '{fid}' (not in vocabulary.yaml)")

    # conditions -------------------------------------------------------------------------------------------
    conditions: dict[str, Condition] = {}
    for cid, vc in vocab_conditions.items():
        file = f"conditions/{cid}.yaml"
        craw = r.yaml(file, required=False)
        if craw is None:
            r.err(file, "", f"condition '{cid}' has no text file (name, summary, description)", "warning")
            ct = ConditionText(
                id=cid, name=Text(en=vc.get("name", cid)), summary=Text(en=""), description=Text(en="")
            )
        else:
            ct = r.model(ConditionText, craw, file, cid)
            if ct is None:
                continue
            if ct.id != cid:
                r.err(file, "id", f"file declares id '{ct.id}' but is named for '{cid}'")
        if cid not in priors:
            r.err("model/priors.yaml", cid, f"condition '{cid}' has no prior")
            continue
        prior = r.model(Prior, priors[cid], "model/priors.yaml", cid)
        raw_links = links.get(cid) or {}
        clinks: dict[str, Link] = {}
        if not isinstance(raw_links, dict):
            r.err("model/links.yaml", cid, "expected a mapping finding -> probability")
            raw_links = {}
        for fid, v in raw_links.items():
            if fid not in vocab_findings:
                r.err("model/links.yaml", f"{cid}.{fid}", f"unknown finding '{fid}'")
                continue
            lk = r.model(Link, v if isinstance(v, dict) else {"p": v}, "model/links.yaml", f"{cid}.{fid}")
            if lk is not None:
                clinks[fid] = lk
        tri = (
            r.model(ConditionTriage, ctriage.get(cid), "model/condition_triage.yaml", cid)
            if cid in ctriage
            else None
        )
        if tri is None:
            if cid not in ctriage:
                r.err("model/condition_triage.yaml", cid, f"condition '{cid}' has no triage level")
            continue
        req = (constraints.get(cid) or {}).get("requires_any", [])
        if prior is None:
            continue
        conditions[cid] = Condition(
            **ct.model_dump(), prior=prior, links=clinks, triage=tri, requires_any=list(req)
        )
    for f, doc in (
        ("model/priors.yaml", priors),
        ("model/links.yaml", links),
        ("model/condition_triage.yaml", ctriage),
    ):
        for cid in doc:
            if cid not in vocab_conditions:
                r.err(f, cid, f"unknown condition '{cid}' (not in vocabulary.yaml)")

    # diagnoses of exclusion -----------------------------------------------------------------------------------
    exclusions: dict[str, list[Exclusion]] = {}
    for cid, raw_list in exclusions_doc.items():
        cid = str(cid)
        if cid not in vocab_conditions:
            r.err("model/exclusions.yaml", cid, f"unknown condition '{cid}' (not in vocabulary.yaml)")
            continue
        if not isinstance(raw_list, list) or not raw_list:
            r.err(
                "model/exclusions.yaml", cid, "expected a non-empty list of groups (explained_by, factor, sources)"
            )
            continue
        seen: set[str] = set()
        for gi, raw in enumerate(raw_list):
            ex = r.model(Exclusion, raw, "model/exclusions.yaml", f"{cid}[{gi}]")
            if ex is None:
                continue
            for ki, e in enumerate(ex.explained_by):
                where = f"{cid}[{gi}].explained_by[{ki}]"
                if e not in vocab_conditions:
                    r.err("model/exclusions.yaml", where, f"unknown condition '{e}'")
                elif e == cid:
                    r.err("model/exclusions.yaml", where, "a condition cannot explain itself")
                elif e in seen:
                    r.err("model/exclusions.yaml", where, f"'{e}' is listed twice for '{cid}'")
                seen.add(e)
            exclusions.setdefault(cid, []).append(ex)
    for cid, ex_groups in exclusions.items():
        for e in {e for ex in ex_groups for e in ex.explained_by}:
            if e in exclusions:
                r.err(
                    "model/exclusions.yaml",
                    f"{cid}.explained_by",
                    f"'{e}' is itself a diagnosis of exclusion here; an explaining cause must be a cause "
                    "in its own right, not a label that other causes explain away",
                )

    # rules --------------------------------------------------------------------------------------------------
    rule_sets = rules_doc.get("sets") or {}
    rules: list[Rule] = []
    for i, raw in enumerate(rules_doc.get("rules") or []):
        rid = raw.get("id", f"#{i}") if isinstance(raw, dict) else f"#{i}"
        rule = r.model(Rule, raw, "model/rules.yaml", f"rules[{rid}]")
        if rule is not None:
            rules.append(rule)

    # questions, texts ---------------------------------------------------------------------------------------
    groups: dict[str, QuestionGroup] = {}
    for gid, raw in qtext.items():
        g = r.model(
            QuestionGroup, {"id": gid, **raw} if isinstance(raw, dict) else raw, "text/questions.yaml", gid
        )
        if g is not None:
            groups[gid] = g
    triage_text: dict[str, TriageText] = {}
    disclaimer = Text(en="This is information, not a diagnosis. If you are worried, see a doctor.")
    reason_texts: dict[str, Text] = {}
    for k, raw in ttext.items():
        if k == "disclaimer":
            d = r.model(Text, raw, "text/triage.yaml", k)
            disclaimer = d or disclaimer
            continue
        if k == "reasons":
            for rk, rraw in (raw or {}).items():
                rt = r.model(Text, rraw, "text/triage.yaml", f"reasons.{rk}")
                if rt is not None:
                    reason_texts[rk] = rt
            continue
        t = r.model(TriageText, raw, "text/triage.yaml", k)
        if t is not None:
            triage_text[k] = t

    # references, advice, article ------------------------------------------------------------------------
    references: dict[str, Reference] = {}
    for i, raw in enumerate(refs_doc):
        ref = r.model(Reference, raw, "references.yaml", f"[{i}]")
        if ref is not None:
            if ref.id in references:
                r.err("references.yaml", f"[{i}]", f"duplicate reference id '{ref.id}'")
            references[ref.id] = ref
    advice: dict[str, Advice] = {}
    advice_files: dict[str, str] = {}
    adv_dir = root / "advice"
    for p in sorted(adv_dir.glob("*.yaml")) if adv_dir.is_dir() else []:
        file = r.rel(p)
        for i, raw in enumerate(_list(r, r.yaml(file), file)):
            aid = raw.get("id") if isinstance(raw, dict) else None
            a = r.model(Advice, raw, file, aid if isinstance(aid, str) and aid else f"[{i}]")
            if a is not None:
                if a.id in advice:
                    r.err(file, f"[{i}]", f"duplicate advice id '{a.id}'")
                advice[a.id] = a
                advice_files[a.id] = file
    article: list[ArticleClaim] = []
    for i, raw in enumerate(article_doc):
        c = r.model(ArticleClaim, raw, "article.yaml", f"[{i}]")
        if c is not None:
            article.append(c)

    version = f"{base_version}+{r.digest.hexdigest()[:10]}"
    if any(p.severity == "error" for p in r.problems):
        return None, r.problems
    kb = KnowledgeBase(
        version=version,
        conditions=conditions,
        findings=findings,
        rules=rules,
        rule_sets=rule_sets,
        groups=groups,
        advice=advice,
        advice_files=advice_files,
        references=references,
        article=article,
        triage_text=triage_text,
        reason_texts=reason_texts,
        disclaimer=disclaimer,
        context_findings=context,
        pregnancy_q=pregnancy_q,
        exclusions=exclusions,
        leak_floor=leak_floor,
    )
    return kb, r.problems


def load_kb(root: Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base; raise KnowledgeBaseError listing every error."""
    if root is None:
        return _load_default()
    kb, problems = collect(root)
    if kb is None:
        errors = [str(p) for p in problems if p.severity == "error"]
        raise KnowledgeBaseError("the knowledge base has errors:\n  " + "\n  ".join(errors))
    return kb


@functools.lru_cache(maxsize=1)
def _load_default() -> KnowledgeBase:
    kb, problems = collect(None)
    if kb is None:
        errors = [str(p) for p in problems if p.severity == "error"]
        raise KnowledgeBaseError("the knowledge base has errors:\n  " + "\n  ".join(errors))
    return kb
