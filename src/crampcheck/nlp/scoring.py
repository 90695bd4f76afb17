"""Scoring the parser against annotated sentences (JSON Lines of text, lang, findings, age, sex).

A finding counts as correct only when its id and its state both match; every extracted finding that
the annotation does not list counts against precision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from crampcheck.errors import AnswersFileError
from crampcheck.nlp.parse import parse


@dataclass
class Score:
    """Counts for one language (or all)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    n: int = 0
    demo_ok: int = 0
    demo_n: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def demographics(self) -> float:
        return self.demo_ok / self.demo_n if self.demo_n else 1.0


def load_sentences(path: Path) -> list[dict[str, object]]:
    """Read and check an annotated sentence file."""
    rows: list[dict[str, object]] = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AnswersFileError(f"{path} line {no}: not valid JSON ({exc.msg})") from None
        if (
            not isinstance(row, dict)
            or not isinstance(row.get("text"), str)
            or not isinstance(row.get("findings"), dict)
        ):
            raise AnswersFileError(f"{path} line {no}: expected an object with 'text' and 'findings'")
        rows.append(row)
    return rows


def score(rows: list[dict[str, object]], *, decided_only: bool = False) -> dict[str, Score]:
    """Scores by language ("en", "zh") and over all rows ("all").

    With ``decided_only`` only (finding, present|absent) pairs count, on both sides: an ``uncertain``
    finding, annotated or extracted, counts as neither (annotation.md, "What good means")."""
    out = {"en": Score(), "zh": Score(), "all": Score()}
    for row in rows:
        text = str(row["text"])
        lang = str(row.get("lang") or "")
        gold_map = row["findings"]
        assert isinstance(gold_map, dict)
        result = parse(text, lang=lang or None)
        pred = {(m.id, m.state) for m in result.findings}
        gold = {(str(k), str(v)) for k, v in gold_map.items()}
        if decided_only:
            pred = {p for p in pred if p[1] != "uncertain"}
            gold = {g for g in gold if g[1] != "uncertain"}
        for key in (lang or result.lang, "all"):
            s = out.setdefault(key, Score())
            s.n += 1
            s.tp += len(pred & gold)
            s.fp += len(pred - gold)
            s.fn += len(gold - pred)
            for attr in ("age", "sex"):
                if row.get(attr) is not None:
                    s.demo_n += 1
                    s.demo_ok += getattr(result, attr) == row[attr]
            if pred != gold and key != "all":
                extra = ", ".join(f"+{i}:{st}" for i, st in sorted(pred - gold))
                missing = ", ".join(f"-{i}:{st}" for i, st in sorted(gold - pred))
                s.errors.append(f"{text!r}: {extra} {missing}".strip())
    return out
