"""What an evaluation run writes besides its metrics: one JSON line per vignette (``--cases``) and a
reliability diagram of the first-ranked cause's probability (``--plot``).

Both check their output path before the run (a missing folder or a folder given as the file is refused with a
clear message, not found out after minutes of work).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crampcheck.errors import N_, InputError
from crampcheck.evaluation.metrics import BINS, Outcome, reliability_bins

STATE = {True: "present", False: "absent", None: "unknown"}


def check_output_path(path: Path) -> None:
    """Refuse an output path that cannot be written as a file (a folder, or in a folder that does not exist)."""
    if path.is_dir():
        raise InputError(N_("{path} is a folder; give a file name in it"), path=path)
    folder = path.parent
    if not folder.is_dir():
        raise InputError(N_("{path}: the folder {folder} does not exist"), path=path, folder=folder)


def _write_error(path: Path, e: OSError) -> InputError:
    return InputError(N_("{path}: cannot write the file ({reason})"), path=path, reason=e.strerror or str(e))


def case_record(o: Outcome, mode: str) -> dict[str, Any]:
    """One vignette's run: what was given, each question with its answers in order (and what it put to the person
    but left unanswered: a red flag left unticked), the top 5, triage, gold."""
    return {
        "id": o.id,
        "mode": mode,
        "given": {f: STATE[v] for f, v in o.given.items()},
        "questions": [
            {
                "turn": k,
                "question": t.question,
                "kind": t.kind,
                "answers": {f: STATE[v] for f, v in t.answers.items()},
                **({"unanswered": list(t.unanswered)} if t.unanswered else {}),
            }
            for k, t in enumerate(o.transcript, 1)
        ],
        "top5": [{"condition": c, "p": round(p, 4)} for c, p in o.top5],
        "triage": o.triage,
        "turns": o.turns,
        "items": o.items,
        "top1_correct": o.top1,
        "gold": {"condition": o.gold_condition, "acceptable": o.acceptable, "triage": o.gold_triage},
    }


def write_cases(path: Path, outcomes: list[Outcome], mode: str) -> None:
    import json

    text = "".join(json.dumps(case_record(o, mode), ensure_ascii=False) + "\n" for o in outcomes)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise _write_error(path, e) from None


def write_reliability_plot(path: Path, outcomes: list[Outcome], title: str) -> None:
    """A reliability diagram: share correct per probability bin, the diagonal, and each bin's count."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scored = [o for o in outcomes if o.p_top1 is not None]
    bins = reliability_bins([o.p_top1 for o in scored if o.p_top1 is not None], [o.top1 for o in scored])
    width = 1 / BINS
    edges = [k * width for k in range(BINS + 1)]
    fig, (ax, axn) = plt.subplots(2, 1, figsize=(5.5, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    try:
        ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
        for k, (n, mean_p, acc) in enumerate(bins):
            axn.bar(k * width, n, width=width, align="edge", color="#999999", edgecolor="white")
            if n:
                axn.annotate(str(n), (k * width + width / 2, n), ha="center", va="bottom", fontsize=8)
            if not n or acc is None or mean_p is None:
                continue
            ax.bar(k * width, acc, width=width, align="edge", color="#4c72b0", edgecolor="white", alpha=0.85)
            ax.plot(mean_p, acc, marker="o", color="black", markersize=4)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("share correct (gold or acceptable)")
        ax.set_title(title, fontsize=10)
        ax.legend(loc="upper left")
        axn.set_xticks(edges)
        axn.set_ylim(0, max([n for n, _, _ in bins] + [1]) * 1.3)
        axn.set_ylabel("vignettes")
        axn.set_xlabel("probability of the first-ranked cause (bins of 0.1; dot = mean in bin)")
        fig.tight_layout()
        try:
            fig.savefig(path, format="png", dpi=100)
        except OSError as e:
            raise _write_error(path, e) from None
    finally:
        plt.close(fig)
