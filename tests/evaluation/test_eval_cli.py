"""`crampcheck eval` options: --noise/--seed in the final JSON line, --cases, --plot and their bad paths, at any
terminal width (COLUMNS unset, and a narrow 40)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crampcheck.cli.main import app

DEV = Path(__file__).resolve().parents[3] / "shared" / "vignettes" / "dev.jsonl"
runner = CliRunner()
WIDTHS = [None, "40"]  # COLUMNS unset, and narrow
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lines = [line for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    path = tmp_path_factory.mktemp("vignettes") / "small.jsonl"
    path.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    return path


def _eval(args: list[str], columns: str | None) -> tuple[int, str]:
    r = runner.invoke(app, ["eval", *args], env={"COLUMNS": columns, "LC_ALL": "C.UTF-8"})
    assert "Traceback" not in r.output
    return r.exit_code, r.output


@pytest.mark.parametrize("columns", WIDTHS)
def test_noise_and_seed_in_the_last_line_and_the_run_repeats(small_set: Path, columns: str | None) -> None:
    code, out = _eval([str(small_set), "--noise", "0.2", "--seed", "5"], columns)
    assert code == 0, out
    last = json.loads(out.strip().splitlines()[-1])
    assert last["noise"] == 0.2 and last["seed"] == 5 and last["n"] == 3
    for key in ("median_items", "brier_top1", "ece_top1"):
        assert isinstance(last[key], float), key
    again = json.loads(
        _eval([str(small_set), "--noise", "0.2", "--seed", "5"], columns)[1].strip().splitlines()[-1]
    )
    assert again == last
    plain = json.loads(_eval([str(small_set)], columns)[1].strip().splitlines()[-1])
    assert "noise" not in plain and "seed" not in plain
    zero = json.loads(_eval([str(small_set), "--noise", "0", "--seed", "5"], columns)[1].strip().splitlines()[-1])
    assert zero == plain


@pytest.mark.parametrize("columns", WIDTHS)
def test_bad_noise_is_a_clear_message(small_set: Path, columns: str | None) -> None:
    code, out = _eval([str(small_set), "--noise", "0.9"], columns)
    assert code == 2 and "--noise must be between 0 and 0.667" in out and "0.9" in out


@pytest.mark.parametrize("mode", ["interview", "text", "facts"])
def test_cases_file_has_one_parsable_line_per_vignette(small_set: Path, tmp_path: Path, mode: str) -> None:
    cases = tmp_path / "cases.jsonl"
    code, out = _eval([str(small_set), "--mode", mode, "--noise", "0.1", "--cases", str(cases)], "40")
    assert code == 0, out
    rows = [json.loads(line) for line in cases.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3
    for row in rows:
        assert {"id", "questions", "top5", "triage", "gold", "given"} <= set(row)
        assert len(row["top5"]) == 5 and all({"condition", "p"} == set(c) for c in row["top5"])
        assert row["top5"][0]["p"] >= row["top5"][-1]["p"]
        assert {"condition", "acceptable", "triage"} == set(row["gold"])
        for q in row["questions"]:
            assert q["answers"] or q.get("unanswered")
            assert set(q["answers"].values()) <= {"present", "absent", "unknown"}
        if mode == "facts":
            assert row["questions"] == [] and row["turns"] is None
        else:
            assert len(row["questions"]) == row["turns"] > 0
            assert sum(len(q["answers"]) + len(q.get("unanswered", [])) for q in row["questions"]) == row["items"]
    if mode == "text":
        assert all(r["questions"][0]["question"] == "confirm-understood" for r in rows)


@pytest.mark.parametrize("columns", WIDTHS)
def test_plot_writes_a_png(small_set: Path, tmp_path: Path, columns: str | None) -> None:
    png = tmp_path / "reliability.png"
    code, out = _eval([str(small_set), "--plot", str(png)], columns)
    assert code == 0, out
    assert png.read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("flag", ["--plot", "--cases"])
def test_bad_output_paths_are_clear_messages(
    small_set: Path, tmp_path: Path, flag: str, columns: str | None
) -> None:
    missing = tmp_path / "no-such-folder" / "out.png"
    code, out = _eval([str(small_set), flag, str(missing)], columns)
    assert code == 2 and "does not exist" in out and "no-such-folder" in out
    code, out = _eval([str(small_set), flag, str(tmp_path)], columns)
    assert code == 2 and "is a folder" in out


def test_bad_output_path_message_in_chinese(small_set: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["eval", str(small_set), "--plot", str(tmp_path)], env={"LC_ALL": "zh_CN.UTF-8"})
    assert r.exit_code == 2 and "是一个文件夹" in r.output
