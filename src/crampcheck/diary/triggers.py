"""Personal trigger analysis: a time-stratified case-crossover study of one person's diary.

Pure: it takes tables (pandas DataFrames of episodes and daily exposures) and returns effects; it
knows nothing of the database.

Method (Maclure 1991; Janes, Sheppard & Lumley 2005 for time-stratified referents):

* The unit is a *diary day*. Cramps before ``day_start_hour`` (06:00) count for the evening before,
  because a night cramp belongs to the day that preceded it. A diary day is a *case day* when it
  has at least one cramp. Only days with an exposure record are analysed (unknown is not "no").
* Strata are calendar months: each case day is compared with the non-case days of the same month
  (the time-stratified design, free of the overlap bias of symmetric windows). Each person is their
  own control, so stable traits (age, genes, illness) cannot confound.
* Conditional logistic regression fits all exposures together: :func:`clogit_fit`, an exact
  vectorised Newton fit checked against statsmodels ``ConditionalLogit`` (also the fallback). The
  likelihood recurses over stratum size x cases, so strata are capped at 31 days, and exposures
  are standardised before fitting to keep ``exp`` from overflowing.
* Each exposure gets an odds ratio with a 95% Wald interval, for "yes vs no" (yes/no exposures) or
  per a rounded typical day-to-day difference (measured ones), and a plain sentence.
* Many exposures are tested at once, so p-values are also adjusted (Holm, and Benjamini-Hochberg),
  and the caution says in plain words what survives.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from crampcheck.diary.fields import EXPOSURE_FIELDS
from crampcheck.errors import InputError

MAX_STRATUM = 31
MIN_CASE_DAYS = 10
MIN_CONTROL_DAYS = 10
MIN_DAYS_EACH_LEVEL = 5
MAX_MISSING_SHARE = 0.3
Z95 = 1.959963984540054
ALPHA = 0.05

Kind = Literal["binary", "continuous"]


@dataclass(frozen=True)
class ExposureSpec:
    id: str
    kind: Kind
    en: str  # "days with hard training" / "typing, writing or gripping"
    zh: str
    unit_en: str = ""
    unit_zh: str = ""
    step: float | None = None  # fixed step for the odds ratio of a measured exposure
    less_en: str = "less"
    more_en: str = "more"


def _specs() -> dict[str, ExposureSpec]:
    """The exposures of the analysis, from the diary's field definitions (the exposure catalogue)."""
    out: dict[str, ExposureSpec] = {}
    for f in EXPOSURE_FIELDS:
        t = f.trigger
        if t is None or t.words is None:
            continue
        if t.when is not None or f.type == "bool":
            spec = ExposureSpec(t.id or f.name, "binary", t.words.en, t.words.zh)
        else:
            unit_en, unit_zh = (f.unit.en, f.unit.zh) if f.unit else ("", "")
            spec = ExposureSpec(f.name, "continuous", t.words.en, t.words.zh, unit_en, unit_zh)
        out[spec.id] = spec
    return out


SPECS: dict[str, ExposureSpec] = _specs()
# list fields analysed item by item: column prefix -> (field name, words with {item})
EACH: dict[str, tuple[str, str, str]] = {
    (f.trigger.id or f.name): (f.name, f.trigger.each.en, f.trigger.each.zh)
    for f in EXPOSURE_FIELDS
    if f.trigger is not None and f.trigger.each is not None
}


def spec_for(column: str) -> ExposureSpec:
    if column in SPECS:
        return SPECS[column]
    prefix, _, item = column.partition(":")
    if item and prefix in EACH:
        _field, en, zh = EACH[prefix]
        return ExposureSpec(column, "binary", en.format(item=item), zh.format(item=item))
    return ExposureSpec(column, "continuous", column.replace("_", " "), column)


@dataclass
class Effect:
    exposure: str
    kind: Kind
    label: str
    odds_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_holm: float | None = None
    p_bh: float | None = None
    step: float | None = None
    unit: str = ""
    verdict: Literal[
        "possible_trigger", "weak_hint", "possibly_protective", "no_clear_effect", "not_estimable"
    ] = "no_clear_effect"
    direction: Literal["more", "less"] | None = None
    sentence: str = ""
    n_days_exposed: int | None = None


@dataclass
class TriggerReport:
    method: str
    days_analysed: int
    case_days: int
    control_days: int
    episodes_analysed: int
    strata: int
    effects: list[Effect] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    caution: str = ""
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def triggers(self) -> list[Effect]:
        return [e for e in self.effects if e.verdict == "possible_trigger"]

    def to_dict(self) -> dict[str, object]:
        from dataclasses import asdict

        return asdict(self)


# ---------------------------------------------------------------------------------------------
# the day table


def diary_day(ts: pd.Series, day_start_hour: int) -> pd.Series:
    """The diary day of each timestamp: before ``day_start_hour`` counts for the previous day."""
    return (pd.to_datetime(ts) - pd.Timedelta(hours=day_start_hour)).dt.normalize()


def build_day_table(episodes: pd.DataFrame, exposures: pd.DataFrame, *, day_start_hour: int = 6) -> pd.DataFrame:
    """One row per recorded diary day: ``case`` (0/1), ``episodes`` (count) and derived exposures.

    ``episodes`` needs a ``started_at`` column; ``exposures`` a ``day`` column plus any of the
    exposure columns of :class:`crampcheck.diary.schemas.ExposureIn` (``medicines`` as a list or a
    ';'-joined string).
    """
    if "day" not in exposures.columns:
        raise InputError("exposure table needs a 'day' column")
    if len(episodes) and "started_at" not in episodes.columns:
        raise InputError("episode table needs a 'started_at' column")
    ex = exposures.copy()
    ex["day"] = pd.to_datetime(ex["day"]).dt.normalize()
    if ex["day"].duplicated().any():
        dup = ex.loc[ex["day"].duplicated(), "day"].iloc[0]
        raise InputError(f"two exposure records for {dup.date()}")
    ex = ex.set_index("day").sort_index()
    out = pd.DataFrame(index=ex.index)
    if len(episodes):
        counts = diary_day(episodes["started_at"], day_start_hour).value_counts()
        out["episodes"] = counts.reindex(out.index, fill_value=0).astype(int)
    else:
        out["episodes"] = 0
    out["case"] = (out["episodes"] > 0).astype(int)

    def num(col: str) -> pd.Series:
        return pd.to_numeric(ex[col], errors="coerce") if col in ex else pd.Series(np.nan, index=ex.index)

    for f in EXPOSURE_FIELDS:
        t = f.trigger
        if t is None:
            continue
        if t.each is not None:
            if f.name in ex:
                items = ex[f.name].map(_med_list)
                for name in sorted({m for lst in items for m in lst}):
                    out[f"{t.id or f.name}:{name}"] = items.map(lambda lst, n=name: float(n in lst))
        elif t.when is not None:
            if f.name in ex:
                col = ex[f.name]
                out[t.id or f.name] = np.where(col.isna(), np.nan, (col == t.when).astype(float))
        elif f.type == "bool":
            if f.name in ex:
                out[f.name] = ex[f.name].map(lambda v: np.nan if v is None or v != v else float(bool(v)))
        else:
            out[f.name] = num(f.name)
    return out


def _med_list(v: object) -> list[str]:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return []
    if isinstance(v, str):
        return [m.strip() for m in v.split(";") if m.strip()]
    return [str(m) for m in v]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# multiple testing


def holm(p: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values (controls the chance of any false trigger)."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adj = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    return adj


def benjamini_hochberg(p: list[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (controls the share of false triggers among those named)."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i], reverse=True)
    adj = [0.0] * m
    running = 1.0
    for rank, i in enumerate(order):
        running = min(running, p[i] * m / (m - rank))
        adj[i] = running
    return adj


# ---------------------------------------------------------------------------------------------
# the analysis


def _nice_step(sd: float) -> float:
    """A round step near one standard deviation (0.5, 1, 2, 5, 10, ...)."""
    if sd <= 0 or not math.isfinite(sd):
        return 1.0
    mag = 10 ** math.floor(math.log10(sd))
    for m in (1, 2, 5, 10):
        if sd <= m * mag * 1.5:
            return float(m * mag)
    return float(10 * mag)


def _fmt(x: float) -> str:
    return f"{x:.1f}" if x < 10 else f"{x:.0f}"


def _times(x: float, lang: str) -> str:
    if lang == "zh":
        return f"{_fmt(x)} 倍"
    if 0.95 <= x < 1.05:
        return "about as likely"
    return f"about {_fmt(x)} times as likely"


def _sentence(e: Effect, spec: ExposureSpec, lang: str) -> str:
    if e.odds_ratio is None or e.ci_low is None or e.ci_high is None:
        if lang == "zh":
            return f"{spec.zh}：数据不足以估计（例如每个有此情况的日子都抽筋或都不抽筋）。"
        return (
            f"{spec.en}: cannot be estimated from this diary (for example, it always or never came with cramps)."
        )
    orr, lo, hi = e.odds_ratio, e.ci_low, e.ci_high
    if spec.kind == "binary":
        if lang == "zh":
            return (
                f"有{spec.zh}的日子之后，抽筋的可能性约为其他日子的 {_fmt(orr)} 倍（{_fmt(lo)} 至 {_fmt(hi)}）。"
            )
        if orr < 0.95:
            return f"After days with {spec.en}, cramps were less likely: {_times(orr, 'en')} ({_fmt(lo)} to {_fmt(hi)})."
        return f"After days with {spec.en}, cramps were {_times(orr, 'en')} ({_fmt(lo)} to {_fmt(hi)})."
    step = e.step or 1.0
    step_txt = f"{step:g}"
    unit_en = spec.unit_en[:-1] if step == 1 and spec.unit_en.endswith("s") else spec.unit_en
    direction_en, direction_zh = "more", "多"
    if orr < 1:  # say it the way round that reads naturally: "with each hour less sleep"
        orr, lo, hi = 1 / orr, 1 / hi, 1 / lo
        direction_en, direction_zh = "less", "少"
    if lang == "zh":
        return (
            f"{spec.zh}每{direction_zh} {step_txt} {spec.unit_zh}，抽筋的可能性约为 {_fmt(orr)} 倍"
            f"（{_fmt(lo)} 至 {_fmt(hi)}）。"
        )
    return (
        f"With each {step_txt} {unit_en} {direction_en} {spec.en}, cramps were {_times(orr, 'en')}"
        f" ({_fmt(lo)} to {_fmt(hi)})."
    )


def _caution(report: TriggerReport, lang: str) -> str:
    n = len([e for e in report.effects if e.p_value is not None])
    if n == 0:
        return ""
    strong = [e for e in report.effects if e.verdict == "possible_trigger"]
    hints = [e for e in report.effects if e.verdict == "weak_hint"]
    if lang == "zh":
        base = f"同时检验了 {n} 项因素；仅凭偶然，约每 20 项就可能有 1 项看起来像诱因。"
        if strong:
            names = "、".join(spec_for(e.exposure).zh for e in strong)
            return base + f"考虑到这一点（Benjamini-Hochberg 校正）后，仍然突出的是：{names}。"
        if hints:
            names = "、".join(spec_for(e.exposure).zh for e in hints)
            return base + f"{names} 单独看似有关，但校正后可能只是偶然；请继续记录来验证。"
        return base + "校正后没有哪一项确定地突出；请把结果当作线索，而非结论。"
    tested = "one thing" if n == 1 else f"{n} things at once"
    base = f"We tested {tested}; by chance alone, about 1 in 20 things tested can look like a trigger."
    if strong:
        names = ", ".join(spec_for(e.exposure).en for e in strong)
        return base + f" After allowing for that (Benjamini-Hochberg), these still stand out: {names}."
    if hints:
        names = ", ".join(spec_for(e.exposure).en for e in hints)
        return (
            base + f" {names[0].upper() + names[1:]} looked linked on its own, but after allowing for that it may"
            " be chance: keep recording to check."
        )
    return (
        base
        + " After allowing for that, none stands out for certain: treat the results as leads to test, not proof."
    )


def analyse(
    days: pd.DataFrame,
    *,
    exposures: list[str] | None = None,
    strata: pd.Series | None = None,
    lang: str = "en",
) -> TriggerReport:
    """Fit the case-crossover model on a day table from :func:`build_day_table`.

    ``strata`` defaults to calendar months of the index; any stratum over 31 days is refused.
    """
    from statsmodels.discrete.conditional_models import ConditionalLogit

    if "case" not in days.columns:
        raise InputError("day table needs a 'case' column (1 on days with a cramp)")
    meta_cols = {"case", "episodes"}
    candidates = exposures if exposures is not None else [c for c in days.columns if c not in meta_cols]
    unknown = [c for c in candidates if c not in days.columns]
    if unknown:
        raise InputError(f"unknown exposure column(s): {', '.join(unknown)}")
    if strata is None:
        idx = pd.DatetimeIndex(days.index)
        strata = pd.Series(idx.year * 100 + idx.month, index=days.index)
    sizes = strata.value_counts()
    if len(sizes) and sizes.max() > MAX_STRATUM:
        raise InputError(
            f"stratum {sizes.idxmax()} has {sizes.max()} days; the conditional likelihood is only computed for"
            f" strata of at most {MAX_STRATUM} days (use calendar months)"
        )

    skipped: dict[str, str] = {}
    chosen: list[str] = []
    n = len(days)
    for col in candidates:
        spec = spec_for(col)
        x = pd.to_numeric(days[col], errors="coerce")
        missing = x.isna().mean() if n else 1.0
        if missing > MAX_MISSING_SHARE:
            k = int(x.notna().sum())
            skipped[col] = f"只有 {n} 天中的 {k} 天有记录" if lang == "zh" else f"recorded on only {k} of {n} days"
            continue
        xs = x.dropna()
        if spec.kind == "binary":
            yes = int((xs > 0).sum())
            no = int((xs == 0).sum())
            if yes < MIN_DAYS_EACH_LEVEL or no < MIN_DAYS_EACH_LEVEL:
                skipped[col] = (
                    f"有和没有这一情况的日子各需至少 {MIN_DAYS_EACH_LEVEL} 天（有 {yes} 天，没有 {no} 天）"
                    if lang == "zh"
                    else f"needs at least {MIN_DAYS_EACH_LEVEL} days with and without it ({yes} with, {no} without)"
                )
                continue
        elif xs.nunique() < 3 or float(xs.std()) == 0.0:
            skipped[col] = "每天几乎没有变化" if lang == "zh" else "hardly varies from day to day"
            continue
        chosen.append(col)

    data = days[["case", "episodes", *chosen]].copy()
    data["_stratum"] = strata
    data = data.dropna()
    case_days = int(data["case"].sum())
    control_days = int(len(data) - case_days)
    # only strata with both a case day and a control day carry information
    if len(data):
        per_stratum = data.groupby("_stratum")["case"].agg(["sum", "count"])
        keep = per_stratum.index[(per_stratum["sum"] > 0) & (per_stratum["sum"] < per_stratum["count"])]
        data = data[data["_stratum"].isin(keep)]
    report = TriggerReport(
        method="time-stratified case-crossover (calendar-month strata), conditional logistic regression",
        days_analysed=len(data),
        case_days=case_days,
        control_days=control_days,
        episodes_analysed=int(data["episodes"].sum()) if len(data) else 0,
        strata=int(data["_stratum"].nunique()) if len(data) else 0,
        skipped=skipped,
    )
    zh = lang == "zh"
    if case_days < MIN_CASE_DAYS or control_days < MIN_CONTROL_DAYS:
        report.warnings.append(
            (
                f"数据太少：只有 {case_days} 个抽筋日和 {control_days} 个无抽筋日（各需至少 {MIN_CASE_DAYS} 个）。"
                "请继续记录几周后再看。"
            )
            if zh
            else (
                f"Too little data: {case_days} days with cramps and {control_days} without (at least"
                f" {MIN_CASE_DAYS} of each are needed). Keep the diary for a few more weeks."
            )
        )
    elif len(data) < 60:
        report.warnings.append(
            "记录少于 60 天，区间会很宽。"
            if zh
            else f"Only {len(data)} usable days: the intervals are wide; two to three months give clearer answers."
        )
    if not chosen:
        return report
    if case_days < MIN_CASE_DAYS or control_days < MIN_CONTROL_DAYS or len(data) < len(chosen) + 5:
        return report

    X = data[chosen].to_numpy(dtype=float)
    mean = X.mean(axis=0)
    sd = X.std(axis=0)
    sd[sd == 0] = 1.0
    Xs = (X - mean) / sd
    y = data["case"].to_numpy(dtype=float)
    groups = data["_stratum"].to_numpy()
    params, bse = _fit(ConditionalLogit, y, Xs, groups)

    for j, col in enumerate(chosen):
        spec = spec_for(col)
        b, s = params[j], bse[j]
        label = spec.zh if zh else spec.en
        exposed = int((data[col] > 0).sum()) if spec.kind == "binary" else None
        if not (math.isfinite(b) and math.isfinite(s)) or abs(b) > 8 or s > 5:
            eff = Effect(
                col, spec.kind, label, None, None, None, None, verdict="not_estimable", n_days_exposed=exposed
            )
        else:
            if spec.kind == "binary":
                scale = 1.0 / sd[j]  # one unit (no -> yes) in standard-deviation units
                step, unit = None, ""
            else:
                step = spec.step or _nice_step(float(sd[j]))
                scale = step / sd[j]
                unit = spec.unit_zh if zh else spec.unit_en
            beta, se = b * scale, s * scale
            p = math.erfc(abs(b / s) / math.sqrt(2))
            eff = Effect(
                col,
                spec.kind,
                label,
                odds_ratio=math.exp(beta),
                ci_low=math.exp(beta - Z95 * se),
                ci_high=math.exp(beta + Z95 * se),
                p_value=p,
                step=step,
                unit=unit,
                n_days_exposed=exposed,
            )
        eff.sentence = _sentence(eff, spec, lang)
        report.effects.append(eff)

    tested = [e for e in report.effects if e.p_value is not None]
    if tested:
        ps = [float(e.p_value) for e in tested if e.p_value is not None]
        for e, ph, pb in zip(tested, holm(ps), benjamini_hochberg(ps), strict=True):
            e.p_holm, e.p_bh = ph, pb
    for e in report.effects:
        _judge(e)
    report.effects.sort(key=lambda e: (e.p_value is None, e.p_value if e.p_value is not None else 1.0))
    report.caution = _caution(report, lang)
    return report


def _judge(e: Effect) -> None:
    """Name the verdict. A measured exposure triggers in either direction (more caffeine, less
    sleep); a yes/no exposure below 1 is protective. "possible_trigger" needs the
    Benjamini-Hochberg adjusted p below 0.05, so testing many exposures does not flood the list;
    an interval that excludes 1 without surviving the adjustment is only a "weak_hint"."""
    if e.odds_ratio is None or e.p_value is None or e.ci_low is None or e.ci_high is None:
        e.verdict = "not_estimable"
        return
    e.direction = "more" if e.odds_ratio >= 1 else "less"
    excludes_one = e.ci_low > 1 or e.ci_high < 1
    survives = e.p_bh is not None and e.p_bh < ALPHA
    harmful = e.kind == "continuous" or e.odds_ratio > 1
    if not excludes_one:
        e.verdict = "no_clear_effect"
    elif not harmful:
        e.verdict = "possibly_protective" if survives else "no_clear_effect"
    else:
        e.verdict = "possible_trigger" if survives else "weak_hint"


def clogit_fit(
    y: np.ndarray, X: np.ndarray, groups: np.ndarray, *, max_iter: int = 50, tol: float = 1e-9
) -> tuple[np.ndarray, np.ndarray, float]:
    """Exact conditional logistic regression by Newton's method: ``(params, bse, loglik)``.

    The same likelihood as statsmodels ``ConditionalLogit`` (tests check it against that reference),
    computed with the recursion of Gail, Lubin & Rubinstein (1981) for the elementary symmetric
    polynomial of each stratum, vectorised over strata, with its exact gradient and Hessian. statsmodels
    evaluates the same recursion as a memoised Python function per stratum and takes a numerical
    Hessian, which costs about a second on a two-year diary; this takes a few milliseconds.
    """
    codes, uniq = pd.factorize(groups)
    n_strata, p = len(uniq), X.shape[1]
    sizes = np.bincount(codes, minlength=n_strata)
    if sizes.max() > MAX_STRATUM:
        raise InputError(f"a stratum has {sizes.max()} rows; at most {MAX_STRATUM} are allowed")
    order = np.argsort(codes, kind="stable")
    cs = codes[order]
    pos = np.arange(len(cs)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    width = int(sizes.max())
    Xp = np.zeros((n_strata, width, p))
    mask = np.zeros((n_strata, width), dtype=bool)
    Xp[cs, pos] = X[order]
    mask[cs, pos] = True
    k = np.bincount(codes, weights=y, minlength=n_strata).astype(int)
    kmax = int(k.max())
    case_sum = np.zeros((n_strata, p))
    np.add.at(case_sum, codes, X * y[:, None])
    rows = np.arange(n_strata)

    def evaluate(beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        eta = Xp @ beta
        shift = np.where(mask, eta, -np.inf).max(axis=1)
        w = np.where(mask, np.exp(eta - shift[:, None]), 0.0)
        B = np.zeros((n_strata, kmax + 1))
        B[:, 0] = 1.0
        G = np.zeros((n_strata, kmax + 1, p))
        H = np.zeros((n_strata, kmax + 1, p, p))
        for i in range(width):
            wi = w[:, i][:, None]
            xi = Xp[:, i]
            Bp, Gp, Hp = B[:, :-1], G[:, :-1], H[:, :-1]
            xG = xi[:, None, :, None] * Gp[:, :, None, :]
            H[:, 1:] += wi[:, :, None, None] * (
                Hp + xG + np.swapaxes(xG, 2, 3) + Bp[:, :, None, None] * (xi[:, :, None] * xi[:, None, :])[:, None]
            )
            G[:, 1:] += wi[:, :, None] * (Gp + Bp[:, :, None] * xi[:, None, :])
            B[:, 1:] += wi * Bp
        Bk, Gk, Hk = B[rows, k], G[rows, k], H[rows, k]
        mean = Gk / Bk[:, None]
        loglik = float(np.sum(case_sum @ beta - np.log(Bk) - k * shift))
        grad = (case_sum - mean).sum(axis=0)
        info = (Hk / Bk[:, None, None] - mean[:, :, None] * mean[:, None, :]).sum(axis=0)
        return loglik, grad, info

    beta = np.zeros(p)
    loglik, grad, info = evaluate(beta)
    for _ in range(max_iter):
        step = np.linalg.solve(info, grad)
        t = 1.0
        while True:
            cand = beta + t * step
            new = evaluate(cand)
            if np.isfinite(new[0]) and new[0] >= loglik - 1e-12:
                break
            t /= 2
            if t < 1e-6:
                raise np.linalg.LinAlgError("conditional likelihood did not improve")
        beta, (loglik_new, grad, info) = cand, new
        done = abs(loglik_new - loglik) < tol
        loglik = loglik_new
        if done:
            break
    bse = np.sqrt(np.diag(np.linalg.inv(info)))
    return beta, bse, loglik


def _fit(model: type, y: np.ndarray, X: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fit by :func:`clogit_fit`; if it fails, statsmodels' ``ConditionalLogit`` (BFGS, then Newton);
    NaN where the likelihood is flat (separation)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            params, bse, _ = clogit_fit(y, X, groups)
            if np.all(np.isfinite(params)) and np.all(np.isfinite(bse)):
                return params, bse
        except (np.linalg.LinAlgError, ValueError, OverflowError):
            pass
        for method in ("bfgs", "newton"):
            try:
                res = model(y, X, groups=groups).fit(disp=0, method=method, maxiter=200)
                params = np.asarray(res.params, dtype=float)
                bse = np.asarray(res.bse, dtype=float)
                if np.all(np.isfinite(params)):
                    return params, bse
            except (np.linalg.LinAlgError, ValueError, OverflowError, RecursionError):
                continue
    nan = np.full(X.shape[1], np.nan)
    return nan, nan


def analyse_tables(
    episodes: pd.DataFrame, exposures: pd.DataFrame, *, lang: str = "en", day_start_hour: int = 6
) -> TriggerReport:
    """:func:`build_day_table` then :func:`analyse`."""
    return analyse(build_day_table(episodes, exposures, day_start_hour=day_start_hour), lang=lang)
