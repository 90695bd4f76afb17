"""The two matching pipelines (English: spaCy blank + matchers; Chinese: character lexicon), built once.

Each pipeline turns a (normalised) text into lexicon target hits and context cue hits in its own
units, then hands them to :mod:`crampcheck.nlp.context`.  :func:`get_pipeline` is a lazy per-process
singleton: building the English matchers takes a fraction of a second, parsing then takes well under
a millisecond per sentence.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from spacy.tokens import Doc

from crampcheck.errors import KnowledgeBaseError
from crampcheck.nlp.context import CueHit, Rules, TargetHit, merge, resolve
from crampcheck.nlp.lexicon import CUE_KINDS, Lexicon, Term, fold_zh, load_lexicon
from crampcheck.nlp.models import Mention
from crampcheck.nlp.spelling import Speller

_SPECIAL = re.compile(r"[|*@~#]")
# a gap in an English term never runs over a contrast: "not swollen but red" is no "swollen ... red"
_NO_CONTRAST = r"(?!(?:but|however|although|though|yet|whereas|except) )"


class Pipeline(Protocol):
    lang: str

    def findings(self, text: str) -> list[tuple[Mention, int]]: ...


# ----------------------------------------------------------------------------------------------- English


class EnglishPipeline:
    """spaCy ``blank("en")`` + sentencizer; PhraseMatcher (attr LOWER) for plain terms and for cues.

    Terms with alternatives, prefixes, numbers or gaps are compiled to regular expressions over the
    stream of lower-cased spaCy tokens joined by single spaces (one expression per finding, tried only
    when one of its literal anchor tokens occurs): spaCy's token Matcher evaluated such predicates in
    Python and took ~40 ms on 300 words, the compiled expressions take well under 1 ms.
    """

    lang = "en"
    _NUM = (
        r"(?:\d[^ ]*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
        r"forty|fifty|sixty|seventy|eighty|ninety|hundred|several|few|couple)"
    )

    def __init__(self, lex: Lexicon) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        self.lex = lex
        self.rules = Rules(
            lex.scope_pre,
            lex.scope_post,
            lex.history_findings,
            lex.family_findings,
            lex.anchored,
            lex.fragment,
            lex.recent_findings,
            lex.past_drop_findings,
        )
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        vocab = self.nlp.vocab
        self.phrases = PhraseMatcher(vocab, attr="LOWER")
        self.cue_matcher = PhraseMatcher(vocab, attr="LOWER")
        self.term_info: dict[int, tuple[Term, frozenset[str]]] = {}
        by_finding: dict[str, list[tuple[str, Term, frozenset[str], set[str]]]] = {}
        for i, term in enumerate(lex.terms):
            if _SPECIAL.search(term.text):
                rx, literal, term_anchors = self._compile(term)
                by_finding.setdefault(term.finding, []).append((rx, term, literal, term_anchors))
                continue
            doc = self.nlp.make_doc(term.text)
            if len(doc) == 0:
                raise KnowledgeBaseError(f"lexicons/en.yaml: empty term for finding '{term.finding}'")
            key = f"T{i}"
            self.phrases.add(key, [doc])
            self.term_info[vocab.strings.add(key)] = (term, frozenset(t.lower_ for t in doc))
        self.patterns: list[
            tuple[re.Pattern[str], dict[str, tuple[Term, frozenset[str]]], re.Pattern[str] | None]
        ] = []
        counter = 0
        for _fid, items in by_finding.items():
            names: dict[str, tuple[Term, frozenset[str]]] = {}
            parts: list[str] = []
            finding_anchors: list[str] | None = []
            for rx, term, literal, term_anchors in items:
                name = f"t{counter}"
                counter += 1
                names[name] = (term, literal)
                parts.append(f"(?P<{name}>{rx})")
                if finding_anchors is not None:
                    finding_anchors = None if not term_anchors else finding_anchors + sorted(term_anchors)
            body = "|".join(parts)
            # a one-character look-ahead of the letters a match can start with lets most places be
            # rejected before the alternatives are tried (several times faster on long texts)
            first = _first_chars(body)
            gate = f"(?=[{''.join(re.escape(c) for c in sorted(first))}])" if first else ""
            # one of the anchors must occur in the padded token stream: one C-level search, not a Python loop
            anchor_rx = (
                re.compile("|".join(re.escape(a) for a in sorted(set(finding_anchors), key=len, reverse=True)))
                if finding_anchors is not None
                else None
            )
            self.patterns.append((re.compile(f"(?<![^ ]){gate}(?:{body})(?![^ ])"), names, anchor_rx))
        for kind in CUE_KINDS:
            docs = [self.nlp.make_doc(c) for c in lex.cues[kind]]
            if docs:
                self.cue_matcher.add(kind, docs)
        self.cue_kind = {vocab.strings.add(k): k for k in CUE_KINDS}
        from spacy.lang.en.stop_words import STOP_WORDS

        respell = {str(k).lower(): str(v).lower() for k, v in (lex.extra.get("respell") or {}).items()}
        self.speller = Speller(self._lexicon_words(), protected=STOP_WORDS, respell=respell)

    def _lexicon_words(self) -> set[str]:
        """Every word the lexicon spells out (terms, macros, cues); a prefix adds its usual endings."""
        words: set[str] = set()
        specs = [t.text for t in self.lex.terms] + [c for cs in self.lex.cues.values() for c in cs]
        specs += [a for alts in self.lex.macros.values() for a in alts]
        for spec in specs:
            for tok in spec.lower().split():
                for alt in tok.split("|"):
                    if alt.endswith("*"):
                        stem = alt[:-1]
                        base = stem[:-1] if stem.endswith("e") else stem
                        words.update({stem, stem + "s", base + "es", base + "ing", base + "ed"})
                    elif not alt.startswith(("@", "~", "#")):
                        words.add(alt)
        return words

    def _spelled(self, doc: Doc) -> Doc:
        """``doc`` with misspelt words replaced by the lexicon words they stand for (same tokens)."""
        lowers = [t.lower_ for t in doc]
        correct = self.speller.correct
        respell = self.speller.respell
        fixed = [correct(w) if len(w) >= 5 or w in respell else w for w in lowers]
        if fixed == lowers:
            return doc
        from spacy.tokens import Doc as SpacyDoc

        words = [f if f != w else t.text for f, w, t in zip(fixed, lowers, doc, strict=True)]
        out = SpacyDoc(self.nlp.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
        for _name, proc in self.nlp.pipeline:
            out = proc(out)
        return out

    def _alternatives(self, spec: str, term: Term) -> list[str]:
        alts: list[str] = []
        for part in spec.split("|"):
            if part.startswith("@"):
                name = part[1:]
                if name not in self.lex.macros:
                    raise KnowledgeBaseError(
                        f"lexicons/en.yaml: unknown macro '@{name}' in term '{term.text}' of '{term.finding}'"
                    )
                alts.extend(self.lex.macros[name])
            else:
                alts.append(part)
        return [a.lower() for a in alts if a]

    def _compile(self, term: Term) -> tuple[str, frozenset[str], set[str]]:
        """One term -> (regex over the token stream, its literal tokens, anchors: strings of which one must
        occur in the padded token stream for the term to match)."""
        pieces: list[str] = []
        literal: set[str] = set()
        anchors: set[str] = set()
        alt_sets: list[set[str]] = []  # per alternation: " word " (or " prefix" for word*)
        for spec in term.text.split():
            if spec.startswith("~"):
                n = int(spec[1:] or 3)
                pieces.append(f"(?: {_NO_CONTRAST}[^ .!?;][^ ]*){{0,{n}}}?")
                continue
            sep = " " if pieces else ""
            if spec == "#":
                pieces.append(sep + self._NUM)
                continue
            alts = self._alternatives(spec, term)
            if not alts:
                raise KnowledgeBaseError(f"lexicons/en.yaml: empty token in term '{term.text}'")
            if len(alts) == 1 and not alts[0].endswith("*"):
                toks = [t.lower_ for t in self.nlp.make_doc(alts[0])]
                pieces.append(sep + " ".join(re.escape(t) for t in toks))
                literal.update(toks)
                anchors.update(toks)
                continue
            for a in alts:
                if len(self.nlp.make_doc(a.rstrip("*"))) != 1:
                    raise KnowledgeBaseError(
                        f"lexicons/en.yaml: alternative '{a}' in term '{term.text}' of '{term.finding}' is not one "
                        "token; write it as its own term"
                    )
            literal.update(a.rstrip("*") for a in alts)
            alt_sets.append({f" {a[:-1]}" if a.endswith("*") else f" {a} " for a in alts})
            rx = "|".join(re.escape(a[:-1]) + "[^ ]*" if a.endswith("*") else re.escape(a) for a in alts)
            pieces.append(f"{sep}(?:{rx})")
        # the gap pieces carry their own leading space; a token after a gap needs one too
        out = ""
        for i, piece in enumerate(pieces):
            if (
                i
                and pieces[i - 1].startswith("(?: " + _NO_CONTRAST)
                and not piece.startswith(" ")
                and not piece.startswith("(?: " + _NO_CONTRAST)
            ):
                piece = " " + piece
            out += piece
        # the longest literal token is the anchor; without one, the alternation with the fewest (and longest)
        # alternatives: any of them must be present for a match (a cheap test that skips most findings)
        if anchors:
            return out, frozenset(literal), {f" {max(anchors, key=len)} "}
        if alt_sets:
            best_set = min(alt_sets, key=lambda alts: (len(alts), -min(len(a) for a in alts)))
            if all(len(a.strip()) >= 2 for a in best_set):
                return out, frozenset(literal), best_set
        return out, frozenset(literal), set()

    @staticmethod
    def _is_literal(cue: CueHit, target: TargetHit, words: list[str]) -> bool:
        """A cue inside a gapped target does not apply when it is one of the term's own words, or when a
        comma separates it from the rest of the match ("my pee isn't normal, it's dark brown")."""
        lit = target.literal
        assert isinstance(lit, frozenset)
        return all(tok in lit for tok in cue.text.split()) or "," in words[cue.end_u : target.end_u]

    _JOINERS = frozenset(
        {"but", "and", "though", "tho", "although", "whereas", "while", "either", "myself", "now"}
    )

    def _stands_alone(self, doc: Doc, s: int, e: int) -> bool:
        """An elliptic reply ("I don't", "so do I") is its own clause: punctuation, a sentence edge or a
        conjunction on both sides ("my wife has diabetes, I don't.", "dad smokes but I don't")."""
        before = s == 0 or doc[s].is_sent_start or doc[s - 1].is_punct or doc[s - 1].lower_ in self._JOINERS
        after = e >= len(doc) or doc[e].is_sent_start or doc[e].is_punct or doc[e].lower_ in self._JOINERS
        return bool(before and after)

    def findings(self, text: str) -> list[tuple[Mention, int]]:
        orig = self.nlp(text)
        doc = self._spelled(orig)
        sent_of = [0] * len(doc)
        sent_sizes: list[int] = []
        for si, sent in enumerate(doc.sents):
            sent_sizes.append(sent.end - sent.start)
            for i in range(sent.start, sent.end):
                sent_of[i] = si
        targets: list[TargetHit] = []

        def add(term: Term, literal: frozenset[str], s: int, e: int) -> None:
            if e <= s or sent_of[s] != sent_of[e - 1]:
                return
            targets.append(
                TargetHit(
                    finding=term.finding,
                    kind=term.kind,
                    sent=sent_of[s],
                    start_u=s,
                    end_u=e,
                    start_c=orig[s].idx,
                    end_c=orig[e - 1].idx + len(orig[e - 1].text),
                    literal=literal,
                )
            )

        for key, s, e in self.phrases(doc):
            term, literal = self.term_info[key]
            add(term, literal, s, e)
        words = [t.lower_ if t.text.strip() else "_" for t in doc]
        stream = " ".join(words)
        padded = f" {stream} "
        starts: list[int] = []
        pos = 0
        for w in words:
            starts.append(pos)
            pos += len(w) + 1
        for rx, names, anchors in self.patterns:
            if anchors is not None and anchors.search(padded) is None:
                continue
            for m in rx.finditer(stream):
                term, literal = names[m.lastgroup or ""]
                add(term, literal, bisect.bisect_left(starts, m.start()), bisect.bisect_left(starts, m.end()))
        cues = [
            CueHit(kind=self.cue_kind[key], sent=sent_of[s], start_u=s, end_u=e, text=doc[s:e].text.lower())
            for key, s, e in self.cue_matcher(doc)
            if not self.cue_kind[key].startswith("ellipsis") or self._stands_alone(doc, s, e)
        ]
        return resolve(
            targets,
            cues,
            rules=self.rules,
            is_literal=lambda c, t: self._is_literal(c, t, words),
            text=text,
            sent_sizes=sent_sizes,
        )


# ----------------------------------------------------------------------------------------------- Chinese

_ZH_PUNCT = "，。！？；,.!?;\n、：: "
_ZH_SENT = re.compile(r"[。！？!?；;\n]+")
_ZH_META = re.compile(r"~\d*|[\\\[\]()|?*+{}^$.:]|@[A-Z_]+")


def _first_chars(pattern: str) -> frozenset[str] | None:
    """The characters a match of ``pattern`` can start with, or None when that cannot be told (an
    optional or negated first item).  Lets a finding whose first characters are absent from a text be
    skipped without running its expression."""
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser as sre  # type: ignore[attr-defined]

    def seq(items: list[tuple[object, object]]) -> set[str] | None:
        for k, (op, av) in enumerate(items):
            if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
                continue  # zero-width: the next item starts the match
            if op in (c.MAX_REPEAT, c.MIN_REPEAT) and isinstance(av, tuple) and av[0] == 0:
                # an optional first item ("(左|右)?腿比"): it or whatever follows it starts the match
                here, rest = seq(list(av[2])), seq(items[k + 1 :])
                return None if here is None or rest is None else here | rest
            return item(op, av)
        return None

    def item(op: object, av: object) -> set[str] | None:
        if op is c.LITERAL:
            assert isinstance(av, int)
            ch = chr(av)
            return {ch, ch.lower(), ch.upper()}
        if op is c.IN:
            out: set[str] = set()
            assert isinstance(av, list)
            for sub_op, sub_av in av:
                if sub_op is c.LITERAL:
                    out |= {chr(sub_av), chr(sub_av).lower(), chr(sub_av).upper()}
                elif sub_op is c.CATEGORY and sub_av is c.CATEGORY_DIGIT:
                    out |= set("0123456789")
                elif sub_op is c.RANGE and sub_av[1] - sub_av[0] <= 256:
                    chars = {chr(i) for i in range(sub_av[0], sub_av[1] + 1)}
                    out |= chars | {ch.upper() for ch in chars} | {ch.lower() for ch in chars}
                else:
                    return None
            return out
        if op is c.BRANCH:
            out = set()
            assert isinstance(av, tuple)
            for branch in av[1]:
                first = seq(list(branch))
                if first is None:
                    return None
                out |= first
            return out
        if op is c.SUBPATTERN:
            assert isinstance(av, tuple)
            return seq(list(av[-1]))
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            assert isinstance(av, tuple)
            return seq(list(av[2])) if av[0] >= 1 else None
        return None

    try:
        first = seq(list(sre.parse(pattern)))
    except Exception:  # noqa: BLE001 - an unanalysable pattern is simply never skipped
        return None
    return frozenset(first) if first else None


class ChinesePipeline:
    """Character-level lexicon matching with compiled regular expressions (one per finding), plus
    Chinese ConText cue lists.  Units are characters."""

    lang = "zh"

    def __init__(self, lex: Lexicon) -> None:
        # the text is folded to simplified characters before matching, so the lexicon is too: a
        # Cantonese or traditional entry ("唔係", "肚痾") must meet the folded text ("唔系", "肚疴")
        lex = dataclasses.replace(
            lex,
            terms=[dataclasses.replace(t, text=fold_zh(t.text)) for t in lex.terms],
            cues={k: [fold_zh(c) for c in cs] for k, cs in lex.cues.items()},
            macros={k: [fold_zh(a) for a in alts] for k, alts in lex.macros.items()},
        )
        self.lex = lex
        self.rules = Rules(
            lex.scope_pre,
            lex.scope_post,
            lex.history_findings,
            lex.family_findings,
            lex.anchored,
            lex.fragment,
            lex.recent_findings,
            lex.past_drop_findings,
        )
        self.patterns: list[tuple[str, re.Pattern[str], dict[str, Term]]] = []
        self.first_chars: list[frozenset[str] | None] = []
        by_finding: dict[str, list[Term]] = {}
        for term in lex.terms:
            by_finding.setdefault(term.finding, []).append(term)
        counter = 0
        for fid, terms in by_finding.items():
            parts: list[str] = []
            names: dict[str, Term] = {}
            # a skip is tried first, so a longer match it should cancel cannot hide it
            for term in sorted(terms, key=lambda t: (t.kind != "skip", -len(self._literal(t.text)))):
                name = f"t{counter}"
                counter += 1
                names[name] = term
                parts.append(f"(?P<{name}>{self._to_regex(term)})")
            try:
                body = "|".join(parts)
                # case folding costs every character a lookup: only where the terms have Latin letters
                rx = re.compile(body, re.IGNORECASE if re.search(r"[A-Za-z]", _ZH_META.sub("", body)) else 0)
            except re.error as exc:
                raise KnowledgeBaseError(f"lexicons/zh.yaml: bad term for finding '{fid}': {exc}") from exc
            self.patterns.append((fid, rx, names))
            self.first_chars.append(_first_chars(rx.pattern))
        self.cue_rx: dict[str, re.Pattern[str]] = {}
        for kind in CUE_KINDS:
            cues = sorted(lex.cues[kind], key=len, reverse=True)
            if cues:
                # a cue is a literal, or a regular expression when written "re:..." ("re:我[0-9]+岁")
                alts = (c[3:] if c.startswith("re:") else re.escape(c) for c in cues)
                self.cue_rx[kind] = re.compile("|".join(alts), re.IGNORECASE)
        self.literals = {name: self._literal(t.text) for _, _, names in self.patterns for name, t in names.items()}

    @staticmethod
    def _literal(text: str) -> str:
        return _ZH_META.sub("", text)

    def _to_regex(self, term: Term) -> str:
        def macro(m: re.Match[str]) -> str:
            name = m.group(0)[1:]
            if name not in self.lex.macros:
                raise KnowledgeBaseError(
                    f"lexicons/zh.yaml: unknown macro '@{name}' in term '{term.text}' of '{term.finding}'"
                )
            return "(?:" + "|".join(self.lex.macros[name]) + ")"

        rx = re.sub(r"@[A-Z_]+", macro, term.text)
        punct = re.escape(_ZH_PUNCT)
        return re.sub(r"~(\d*)", lambda m: f"[^{punct}]{{0,{m.group(1) or 4}}}?", rx)

    @staticmethod
    def _stands_alone(text: str, s: int, e: int) -> bool:
        """An elliptic reply ("我没有", "我也是") is its own clause: punctuation or the text's edge on both
        sides (a final particle allowed: "我没有啊")."""
        while e < len(text) and text[e] in "啊呀呢哦喔噢嘅的":
            e += 1
        before = (
            s == 0
            or text[s - 1] in _ZH_PUNCT
            or text[max(0, s - 2) : s] in ("但是", "可是")
            or text[s - 1] == "但"
        )
        return before and (e >= len(text) or text[e] in _ZH_PUNCT)

    @staticmethod
    def _is_literal(cue: CueHit, target: TargetHit) -> bool:
        lit = target.literal
        assert isinstance(lit, str)
        return cue.text in lit

    @staticmethod
    def _matches(
        rx: re.Pattern[str], first: frozenset[str] | None, text: str, where: dict[str, list[int]]
    ) -> Iterator[re.Match[str]]:
        """``rx.finditer(text)``, but tried only where a match can start (one of its first characters)
        when those places are few: most findings then cost a handful of anchored attempts, not a scan."""
        if first is None:
            yield from rx.finditer(text)
            return
        starts = [i for ch in first.intersection(where) for i in where[ch]]
        if len(starts) * 8 > len(text):
            yield from rx.finditer(text)
            return
        end = 0
        for i in sorted(starts):
            if i < end:
                continue
            m = rx.match(text, i)
            if m is not None and m.end() > m.start():
                end = m.end()
                yield m

    def findings(self, text: str) -> list[tuple[Mention, int]]:
        text = fold_zh(text)
        bounds = [m.end() for m in _ZH_SENT.finditer(text)]

        def sent(i: int) -> int:
            return bisect.bisect_right(bounds, i)

        targets: list[TargetHit] = []
        where: dict[str, list[int]] = {}
        for i, ch in enumerate(text):
            where.setdefault(ch, []).append(i)
        for (fid, rx, names), first in zip(self.patterns, self.first_chars, strict=True):
            for m in self._matches(rx, first, text, where):
                if m.end() == m.start():
                    continue
                name = m.lastgroup or ""
                term = names[name]
                targets.append(
                    TargetHit(
                        finding=fid,
                        kind=term.kind,
                        sent=sent(m.start()),
                        start_u=m.start(),
                        end_u=m.end(),
                        start_c=m.start(),
                        end_c=m.end(),
                        literal=self.literals[name],
                    )
                )
        cues = [
            CueHit(kind=kind, sent=sent(m.start()), start_u=m.start(), end_u=m.end(), text=m.group(0).lower())
            for kind, rx in self.cue_rx.items()
            for m in rx.finditer(text)
            if not kind.startswith("ellipsis") or self._stands_alone(text, m.start(), m.end())
        ]
        return resolve(
            targets,
            cues,
            rules=self.rules,
            is_literal=self._is_literal,
            text=text,
            sent_sizes=[b - a for a, b in zip([0, *bounds], [*bounds, len(text)], strict=True)],
        )


# ----------------------------------------------------------------------------------------------- singletons

_LOCK = threading.Lock()
_PIPELINES: dict[str, Pipeline] = {}


def get_pipeline(lang: str) -> Pipeline:
    """The pipeline of ``lang`` ("en" | "zh"), built on first use and then shared by the process."""
    pipe = _PIPELINES.get(lang)
    if pipe is None:
        with _LOCK:
            pipe = _PIPELINES.get(lang)
            if pipe is None:
                lex = load_lexicon(lang)
                pipe = EnglishPipeline(lex) if lang == "en" else ChinesePipeline(lex)
                _PIPELINES[lang] = pipe
    return pipe


def warm_up() -> None:
    """Build both pipelines now (e.g. at server start) rather than on the first request."""
    for lang in ("en", "zh"):
        get_pipeline(lang)


__all__ = ["ChinesePipeline", "EnglishPipeline", "Pipeline", "get_pipeline", "merge", "warm_up"]
