"""One-off importer: turns the numeric tables of the fact base into the knowledge base's model files.

Reads ``../shared/facts/cramps-facts.md`` (sections 2.2, 10.2-10.5 and the per-condition Findings lines of
section 3, for the citations next to individual numbers) and writes, under
``src/crampcheck/knowledge/model/``: ``priors.yaml``, ``leaks.yaml`` and ``links.yaml``. The files it writes
are the reviewed source of truth afterwards; the script documents where their numbers came from and lets a
curator re-import a newer fact base and review the diff.

    python tools/import_factbase.py [path/to/cramps-facts.md]
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "crampcheck" / "knowledge" / "model"
BANDS = ["1-11", "12-17", "18-39", "40-59", "60-74", "75+"]


def section(text: str, start: str, end: str) -> str:
    i = text.index(start)
    j = text.index(end, i + len(start))
    return text[i:j]


def csv_block(text: str) -> list[dict[str, str]]:
    m = re.search(r"```csv\n(.*?)```", text, re.S)
    assert m, "no csv block"
    return list(csv.DictReader(io.StringIO(m.group(1))))


def num(s: str) -> float:
    return float(s.strip())


def citations(md: str) -> dict[tuple[str, str], dict[str, object]]:
    """(condition, finding) -> {note, sources} for numbers that carry a citation in section 3."""
    out: dict[tuple[str, str], dict[str, object]] = {}
    for m in re.finditer(r"^### 3\.\d+ `(\w+)`(.*?)(?=^### |\Z)", md, re.S | re.M):
        cond, body = m.group(1), m.group(2)
        fl = re.search(r"\*\*Findings\*\*(.*?)\n- \*\*Against", body, re.S)
        if not fl:
            continue
        for lm in re.finditer(r"`(\w+)` (\d*\.?\d+)(?: \(([^()]*(?:\([^()]*\)[^()]*)*)\))?", fl.group(1)):
            fid, note = lm.group(1), lm.group(3)
            if not note:
                continue
            refs = re.findall(r"\[(\d+)\]", note)
            clean = re.sub(r"\s*\[\d+\]", "", note).strip()
            entry: dict[str, object] = {"note": clean}
            if refs:
                entry["sources"] = [f"ref{r}" for r in dict.fromkeys(refs)]
            out[(cond, fid)] = entry
    return out


def main(path: Path) -> None:
    md = path.read_text(encoding="utf-8")
    OUT.mkdir(parents=True, exist_ok=True)

    # priors (10.2)
    priors: dict[str, object] = {}
    for row in csv_block(section(md, "### 10.2", "### 10.3")):
        cid = row["condition"]
        table = {b: {"female": num(row[f"{b}_F"]), "male": num(row[f"{b}_M"])} for b in BANDS}
        pm = row["pregnancy_multiplier"]
        entry: dict[str, object] = {"by_age": table}
        if pm.startswith("set_"):
            entry["if_pregnant"] = {"set": float(pm[4:])}
        elif float(pm) != 1.0:
            entry["if_pregnant"] = {"multiply": float(pm)}
        priors[cid] = entry

    # leaks (10.3)
    leaks: dict[str, object] = {}
    for row in csv_block(section(md, "### 10.3", "### 10.4")):
        fid = row["finding"]
        if row["leak_ref"] == "context":
            q = {}
            for b in BANDS:
                v = row[b]
                q[b] = num(v.split("|")[0])
            leaks[fid] = {"context": True, "p_if_female_by_age": q}
            continue
        by_age: dict[str, object] = {}
        for b in BANDS:
            v = row[b]
            if "|" in v:
                f, m = v.split("|")
                by_age[b] = {"female": num(f), "male": num(m)}
            else:
                by_age[b] = num(v)
        same = all(not isinstance(x, dict) and x == num(row["leak_ref"]) for x in by_age.values())
        leaks[fid] = {"ref": num(row["leak_ref"])} if same else {"ref": num(row["leak_ref"]), "by_age": by_age}

    # links (10.4 dense table + 10.5 long csv)
    cites = citations(md)
    links: dict[str, dict[str, object]] = {}
    t104 = section(md, "### 10.4", "### 10.5")
    abbrev = dict(re.findall(r"(\w+) = `(\w+)`", t104))
    header: list[str] = []
    for line in t104.splitlines():
        if line.startswith("| condition |"):
            header = [abbrev[c.strip()] for c in line.strip("|").split("|")[1:]]
        m = re.match(r"\| `(\w+)` \|(.*)\|\s*$", line)
        if m and header:
            vals = [num(v) for v in m.group(2).split("|")]
            links.setdefault(m.group(1), {}).update(dict(zip(header, vals, strict=True)))
    for row in csv_block(section(md, "### 10.5", "### 10.6")):
        links.setdefault(row["condition"], {})[row["finding"]] = num(row["p"])

    out_links: dict[str, dict[str, object]] = {}
    for cid, fl in links.items():
        d: dict[str, object] = {}
        for fid, p in sorted(fl.items()):
            ref = leaks.get(fid, {})
            if isinstance(ref, dict) and "ref" in ref and abs(float(ref["ref"]) - p) < 1e-12:
                continue  # equal to the leak: no link
            c = cites.get((cid, fid))
            d[fid] = {"p": p, **c} if c else p
        out_links[cid] = d

    header_txt = (
        "# Generated once by tools/import_factbase.py from the crampcheck fact base (section {sec});\n"
        "# reviewed and maintained here since. Values are (estimate) unless an entry names its sources.\n"
    )
    dump = {"width": 110, "sort_keys": False, "allow_unicode": True, "default_flow_style": None}
    (OUT / "priors.yaml").write_text(header_txt.format(sec="2.2 / 10.2") + yaml.safe_dump(priors, **dump))
    (OUT / "leaks.yaml").write_text(header_txt.format(sec="1.2 / 10.3") + yaml.safe_dump(leaks, **dump))
    (OUT / "links.yaml").write_text(header_txt.format(sec="3 / 10.4 / 10.5") + yaml.safe_dump(out_links, **dump))
    print(f"priors: {len(priors)}, leaks: {len(leaks)}, links: {sum(len(v) for v in out_links.values())}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "facts" / "cramps-facts.md")
