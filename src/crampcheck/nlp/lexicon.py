"""Loading and validating the per-language lexicons (``lexicons/<lang>.yaml``): terms -> finding ids, cues.

A lexicon is data, not code.  Its shape (both languages)::

    macros:    {NAME: [alternative, ...]}          # reusable token alternatives, written @NAME in terms
    findings:
      <finding_id>:
        yes:     [term, ...]   # present unless a negation / hedge cue has it in scope
        no:      [term, ...]   # absent, whatever the context ("urine is a normal colour")
        fixed:   [term, ...]   # present, whatever the context (the term carries its own negation)
        neg:     [term, ...]   # counts only when negated -> absent ("no swelling")
        weak_no: [term, ...]   # absent, but loses to any other mention ("my right calf" for both_sides)
        weak_yes: [term, ...]  # present, but loses to any other mention ("calves" for both_sides)
        plain:   [term, ...]   # present, never negated or hedged (body sites: "no swelling in my calf")
        skip:    [term, ...]   # cancels this finding's other matches it overlaps ("night shift")
        maybe:   [term, ...]   # uncertain by itself, absent when negated ("feverish", "感觉发烫")
        pos:     [term, ...]   # present when affirmed, nothing when negated or hedged: it implies the finding
                               # but its denial does not deny it ("wakes me" is at night; "doesn't wake me" is
                               # not "never at night")
    medicines: {<finding_id>: [name, ...]}         # generic, brand and Chinese names; behave like `yes`
    cues:
      neg_pre / neg_post / hedge_pre / hedge_post / pseudo / terminator: [cue, ...]
    scope: {pre: int, post: int, fragment: int}    # how far (tokens for en, characters for zh) a cue reaches;
                                                   # a sentence of <= fragment units shares the cramp before it
    history_findings: [finding_id, ...]            # about the past (diagnoses, surgery): past cues keep them
    recent_findings: [finding_id, ...]             # about the last weeks: a `long_ago` cue in the sentence drops them
    past_drop_findings: [finding_id, ...]          # an ended or unstarted state leaves them out rather than absent
    family_findings: [finding_id, ...]             # about the family: a relative's clause keeps them
    anchored: [finding_id, ...]                    # need an `anchor` cue (a cramp word) in their sentence

English term syntax (tokens separated by spaces): ``word`` matches the lower-cased token, ``a|b`` any of
them, ``cramp*`` a prefix, ``@NAME`` a macro, ``#`` a number, ``~`` / ``~N`` a gap of 0-3 / 0-N tokens within a sentence.
Chinese terms are regular-expression fragments over characters; ``~`` / ``~N`` is a gap of 0-4 / 0-N
characters that does not cross punctuation, ``@NAME`` a macro (an alternation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from crampcheck.errors import KnowledgeBaseError

TERM_KINDS = ("yes", "no", "fixed", "neg", "weak_no", "weak_yes", "plain", "skip", "maybe", "pos")
CUE_KINDS = (
    "neg_pre",
    "neg_post",
    "hedge_pre",
    "hedge_post",
    "pseudo",
    "terminator",
    "contrast",  # a terminator that marks a contrast ("but", "但是"): no term's gap may run over it
    "hypo_pre",  # a hypothetical or a question about the future: what follows in the clause is no fact
    "past_pre",  # an ended or never-started state: a "now" finding in the clause becomes absent
    "past_post",  # the same, said after the concept (reaches to the sentence end, across commas)
    "long_ago",  # "last year", "去年": a `recent_findings` finding in the sentence is not recent, so left out
    "relative",  # a person other than the writer ("my mum", "我爸")
    "self",  # the writer as the subject ("I", "我")
    "self_strong",  # the writer insisting on themself ("myself", "我自己"): the text is about the writer
    "anchor",  # a cramp word: findings listed in `anchored` need one in their sentence
    "third",  # a third person ("he", "她"): a clause naming one is not the writer speaking of themself
    "ellipsis_no",  # "my wife has diabetes, I don't", "我没有": the clause before is denied for the writer
    "ellipsis_yes",  # "...and so do I", "我也是": the clause before holds for the writer too
)


@dataclass(frozen=True)
class Term:
    """One lexicon term of one finding."""

    finding: str
    kind: str
    text: str


@dataclass
class Lexicon:
    """A validated lexicon of one language."""

    lang: str
    terms: list[Term]
    cues: dict[str, list[str]]
    macros: dict[str, list[str]]
    scope_pre: int
    scope_post: int
    extra: dict[str, Any] = field(default_factory=dict)
    history_findings: frozenset[str] = frozenset()
    family_findings: frozenset[str] = frozenset()
    anchored: frozenset[str] = frozenset()
    recent_findings: frozenset[str] = frozenset()
    past_drop_findings: frozenset[str] = frozenset()
    fragment: int = 0

    @property
    def finding_ids(self) -> set[str]:
        return {t.finding for t in self.terms}


def _str_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        raise KnowledgeBaseError(f"lexicon {where}: expected a list of strings (quote yes/no/on/off)")
    return [str(v) for v in value]


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key written twice in one mapping: the second would silently replace
    the first (two `neg:` lists of one finding, where only the last counted)."""


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is written twice in one mapping", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


@cache
def _t2s_table() -> dict[int, int]:
    raw = resources.files("crampcheck.nlp").joinpath("lexicons", "t2s.txt").read_text("utf-8")
    return {ord(line[0]): ord(line[1]) for line in raw.splitlines() if len(line) == 2}


def fold_zh(text: str) -> str:
    """Traditional Chinese characters folded to simplified ones, one for one (offsets are kept)."""
    return text.translate(_t2s_table())


@cache
def load_lexicon(lang: str) -> Lexicon:
    """Read and validate ``lexicons/<lang>.yaml`` (cached: once per process)."""
    try:
        raw_text = resources.files("crampcheck.nlp").joinpath("lexicons", f"{lang}.yaml").read_text("utf-8")
    except FileNotFoundError as exc:
        raise KnowledgeBaseError(f"no lexicon for language '{lang}' (lexicons/{lang}.yaml)") from exc
    try:
        raw = yaml.load(raw_text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"lexicons/{lang}.yaml is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise KnowledgeBaseError(f"lexicons/{lang}.yaml: expected a mapping at the top level")
    where = f"lexicons/{lang}.yaml"
    macros = {str(k): _str_list(v, f"{where} macros.{k}") for k, v in (raw.get("macros") or {}).items()}
    terms: list[Term] = []
    for fid, spec in (raw.get("findings") or {}).items():
        if isinstance(spec, list):
            spec = {"yes": spec}
        if not isinstance(spec, dict):
            raise KnowledgeBaseError(f"{where} findings.{fid}: expected a mapping of term kinds")
        for key, values in spec.items():
            kind = {True: "yes", False: "no"}.get(key, key)  # YAML 1.1 reads bare yes/no keys as booleans
            if kind not in TERM_KINDS:
                raise KnowledgeBaseError(
                    f"{where} findings.{fid}: unknown term kind '{kind}' (use one of {', '.join(TERM_KINDS)})"
                )
            terms.extend(Term(str(fid), kind, t) for t in _str_list(values, f"{where} findings.{fid}.{kind}"))
    for fid, names in (raw.get("medicines") or {}).items():
        terms.extend(Term(str(fid), "yes", t) for t in _str_list(names, f"{where} medicines.{fid}"))
    if "MED" in macros:  # "started @MED": every medicine name of the lexicon counts, not a hand-kept few
        names = [str(n) for ns in (raw.get("medicines") or {}).values() for n in ns]
        if lang == "en":  # an English macro alternative is one token
            names = [n for n in names if n.replace("*", "").isalnum()]
        macros["MED"] = list(dict.fromkeys(macros["MED"] + names))
    cues_raw = raw.get("cues") or {}
    cues: dict[str, list[str]] = {}
    for kind in CUE_KINDS:
        cues[kind] = _str_list(cues_raw.get(kind), f"{where} cues.{kind}")
    unknown_cues = set(cues_raw) - set(CUE_KINDS)
    if unknown_cues:
        raise KnowledgeBaseError(f"{where} cues: unknown cue kinds {sorted(unknown_cues)}")
    scope = raw.get("scope") or {}
    sets = {
        k: frozenset(_str_list(raw.get(k), f"{where} {k}"))
        for k in ("history_findings", "family_findings", "anchored", "recent_findings", "past_drop_findings")
    }
    extra = {k: v for k, v in raw.items() if k not in {"macros", "findings", "medicines", "cues", "scope", *sets}}
    return Lexicon(
        lang=lang,
        terms=terms,
        cues=cues,
        macros=macros,
        scope_pre=int(scope.get("pre", 6)),
        scope_post=int(scope.get("post", 3)),
        extra=extra,
        history_findings=sets["history_findings"],
        family_findings=sets["family_findings"],
        anchored=sets["anchored"],
        recent_findings=sets["recent_findings"],
        past_drop_findings=sets["past_drop_findings"],
        fragment=int(scope.get("fragment", 0)),
    )
