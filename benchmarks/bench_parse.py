"""Benchmark of crampcheck.nlp: accuracy on the annotated sentences (and, when present, on the dev
vignettes' narratives), and the time to parse a 300-word description in English and Chinese, with
the bare spaCy tokenizer / jieba cut on the same text as the reference measured in the same run.

It also scores the blind annotated set (tests/nlp/data/blind/, written by someone who never saw the
parser): precision and recall of (finding, present|absent) pairs per language on ``dev.jsonl`` and,
separately, on ``heldout.jsonl`` (an ``uncertain`` finding counts as neither, as annotation.md says).
The held-out set is only measured here, never read case by case; ``--show-errors`` lists the dev
set's mistakes only.

Run: .venv/bin/python benchmarks/bench_parse.py [--show-errors] [--no-heldout | --dev-only]
     (prints a table, then one JSON line of figures)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from crampcheck.nlp import parse  # noqa: E402
from crampcheck.nlp.pipeline import get_pipeline, warm_up  # noqa: E402
from crampcheck.nlp.scoring import Score, load_sentences, score  # noqa: E402

SENTENCES = ROOT / "tests" / "nlp" / "data" / "sentences.jsonl"
BLIND = ROOT / "tests" / "nlp" / "data" / "blind"
DEV = Path("/work/shared/vignettes/dev.jsonl")
REPEATS = 200


def median_ms(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def text_of_words(rows: list[dict[str, object]], lang: str, words: int) -> str:
    """Concatenate the set's sentences of one language until the text has ``words`` words
    (whitespace words for English, jieba words for Chinese)."""
    import jieba

    parts: list[str] = []
    texts = [str(r["text"]) for r in rows if r["lang"] == lang]
    i = 0
    while True:
        text = (" " if lang == "en" else "").join(parts)
        n = len(text.split()) if lang == "en" else sum(1 for w in jieba.lcut(text) if w.strip("，。！？、 "))
        if n >= words:
            return text
        parts.append(texts[i % len(texts)])
        i += 1


def dev_figures() -> dict[str, float] | None:
    """Recall of `presenting` and precision of "present" against `facts` on the dev narratives."""
    if not DEV.exists():
        return None
    hit = n_pres = tp = fp = 0
    for line in DEV.read_text(encoding="utf-8").splitlines():
        v = json.loads(line)
        st = parse(v["narrative"]).states()
        n_pres += len(v["presenting"])
        hit += sum(st.get(p) == "present" for p in v["presenting"])
        for fid, state in st.items():
            if state == "present":
                if v["facts"].get(fid) is True:
                    tp += 1
                else:
                    fp += 1
    return {"dev_presenting_recall": hit / n_pres, "dev_present_precision": tp / (tp + fp) if tp + fp else 1.0}


def main() -> None:
    import argparse

    import jieba

    ap = argparse.ArgumentParser(description="Accuracy and speed of crampcheck's free-text parser.")
    ap.add_argument("--show-errors", action="store_true", help="list the blind dev set's mistakes")
    ap.add_argument(
        "--no-heldout", "--dev-only", action="store_true", help="do not open or measure the held-out set"
    )
    args = ap.parse_args()

    t0 = time.perf_counter()
    warm_up()
    jieba.initialize()
    startup_ms = (time.perf_counter() - t0) * 1000

    rows = load_sentences(SENTENCES)
    scores = score(rows)
    blind: dict[str, dict[str, Score]] = {}
    for split in ("dev", "heldout"):
        path = BLIND / f"{split}.jsonl"
        if path.exists() and not (split == "heldout" and args.no_heldout):
            blind[split] = score(load_sentences(path), decided_only=True)
    if args.show_errors and "dev" in blind:
        for lang in ("en", "zh"):
            for err in blind["dev"][lang].errors:
                print(f"[dev {lang}] {err}")

    en_text = text_of_words(rows, "en", 300)
    zh_text = text_of_words(rows, "zh", 300)
    en_nlp = get_pipeline("en").nlp  # type: ignore[attr-defined]
    parse_en = median_ms(lambda: parse(en_text, lang="en"))
    parse_zh = median_ms(lambda: parse(zh_text, lang="zh"))
    tok_en = median_ms(lambda: en_nlp.make_doc(en_text))
    cut_zh = median_ms(lambda: jieba.lcut(zh_text))
    dev = dev_figures()

    print(f"{'measure':<42}{'en':>10}{'zh':>10}{'all':>10}")
    print(f"{'sentences':<42}{scores['en'].n:>10}{scores['zh'].n:>10}{scores['all'].n:>10}")
    for name in ("precision", "recall", "demographics"):
        vals = [getattr(scores[k], name) for k in ("en", "zh", "all")]
        print(
            f"{name + ' (id and state must match)' if name != 'demographics' else 'age/sex accuracy':<42}"
            + "".join(f"{v:>10.3f}" for v in vals)
        )
    for split, sc in blind.items():
        for name in ("precision", "recall"):
            label = f"blind {split} {name} (present/absent)"
            print(f"{label:<42}" + "".join(f"{getattr(sc[k], name):>10.3f}" for k in ("en", "zh", "all")))
    print(f"{'parse 300 words, median ms':<42}{parse_en:>10.3f}{parse_zh:>10.3f}")
    print(f"{'reference: spaCy tokenizer / jieba cut, ms':<42}{tok_en:>10.3f}{cut_zh:>10.3f}")
    print(f"{'ratio parse / reference':<42}{parse_en / tok_en:>10.1f}{parse_zh / cut_zh:>10.1f}")
    print(f"{'start-up (build both pipelines + jieba), ms':<42}{startup_ms:>10.0f}")
    if dev:
        print(f"{'dev narratives: presenting recall':<42}{dev['dev_presenting_recall']:>30.3f}")
        print(f"{'dev narratives: present precision vs facts':<42}{dev['dev_present_precision']:>30.3f}")
    figures: dict[str, object] = {
        "precision": round(scores["all"].precision, 4),
        "recall": round(scores["all"].recall, 4),
        "precision_en": round(scores["en"].precision, 4),
        "recall_en": round(scores["en"].recall, 4),
        "precision_zh": round(scores["zh"].precision, 4),
        "recall_zh": round(scores["zh"].recall, 4),
        "n_sentences": scores["all"].n,
        "parse_ms_300w": round(parse_en, 3),
        "parse_ms_300w_zh": round(parse_zh, 3),
        "tokenizer_ms_300w": round(tok_en, 3),
        "jieba_cut_ms_300w_zh": round(cut_zh, 3),
        "ratio_parse_to_tokenizer": round(parse_en / tok_en, 2),
        "ratio_parse_to_jieba_zh": round(parse_zh / cut_zh, 2),
        "startup_ms": round(startup_ms, 1),
    }
    for split, sc in blind.items():
        for lang in ("en", "zh", "all"):
            figures[f"blind_{split}_precision_{lang}"] = round(sc[lang].precision, 4)
            figures[f"blind_{split}_recall_{lang}"] = round(sc[lang].recall, 4)
        figures[f"blind_{split}_n"] = sc["all"].n
    if dev:
        figures.update({k: round(v, 4) for k, v in dev.items()})
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
