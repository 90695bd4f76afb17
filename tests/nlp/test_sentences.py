"""The parser's accuracy on the annotated sentence set (tests/nlp/data/sentences.jsonl) stays above a floor."""

from __future__ import annotations

from pathlib import Path

from crampcheck.nlp.scoring import load_sentences, score

DATA = Path(__file__).parent / "data" / "sentences.jsonl"


def test_sentence_set_is_big_and_bilingual() -> None:
    rows = load_sentences(DATA)
    assert len(rows) >= 150
    zh = sum(r["lang"] == "zh" for r in rows)
    assert zh >= len(rows) / 2 - 5
    assert any(v == "absent" for r in rows for v in r["findings"].values())  # type: ignore[union-attr]
    assert any(v == "uncertain" for r in rows for v in r["findings"].values())  # type: ignore[union-attr]


def test_precision_and_recall_floor() -> None:
    scores = score(load_sentences(DATA))
    for lang in ("en", "zh", "all"):
        s = scores[lang]
        detail = "\n".join(s.errors[:20])
        assert s.precision >= 0.95, f"{lang} precision {s.precision:.3f}\n{detail}"
        assert s.recall >= 0.90, f"{lang} recall {s.recall:.3f}\n{detail}"
