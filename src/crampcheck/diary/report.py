"""The doctor report: one HTML page (Jinja2) and its PDF (WeasyPrint), in English or Chinese, from the diary's
read model (:mod:`crampcheck.diary.readmodel`) and the stored assessment record (:mod:`crampcheck.diary.records`).

It holds the latest saved assessment (triage, likely causes and why), the diary summary and
charts, the list of episodes, medicines, the personal trigger analysis and questions worth asking. Chinese
needs a CJK font on the machine (Debian ``fonts-noto-cjk``); the stylesheet names Noto Sans CJK SC first.

Everything is in the report's language, the saved assessment too: it is rendered again from its ids (the same
answers give the same result with this knowledge base), whatever language it was saved in. The rate per week is
over the days the diary actually covers, and a chart with nothing to show gets one line, not half a page.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from crampcheck.diary import charts
from crampcheck.diary.fields import EPISODE
from crampcheck.diary.readmodel import read_diary
from crampcheck.diary.records import StoredAssessment
from crampcheck.errors import CrampcheckError, InputError
from crampcheck.schema import Assessment
from crampcheck.storage.models import User

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Muscle cramp report for the doctor",
        "generated": "Generated",
        "user": "for",
        "kb": "knowledge base",
        "assessment": "Latest assessment",
        "assessed": "Assessed on",
        "age_sex": "Age / sex",
        "female": "female",
        "male": "male",
        "causes": "Likely causes and why",
        "cause": "Cause",
        "probability": "Probability",
        "why": "Why (answers that raised + or lowered −)",
        "advice": "Advice given",
        "evidence": "evidence",
        "no_assessment": "No assessment has been saved yet.",
        "diary": "Cramp diary",
        "n_episodes": "Cramps recorded",
        "per_week": "Cramps per week",
        "rate_detail": "{rate} ({n} in {days} days, {start} to {end})",
        "episode_list": "Every cramp recorded",
        "episode_list_recent": "The {shown} most recent of {total} cramps (all of them are in the CSV export)",
        "date": "Date",
        "time": "Time",
        "muscle": "Muscle",
        "side": "Side",
        "severity_short": "Severity (0-10)",
        "duration_short": "Duration",
        "minutes": "{m} min",
        "seconds": "{s} s",
        "no_charts": "No charts yet: there is nothing to draw.",
        "no_forest": "No trigger chart: no exposure could be estimated from this diary yet.",
        "how_to_read": "How to read this: \u201c2 times as likely\u201d means that on days after the exposure, cramps "
        "were about twice as likely as on other days of the same month; \u201c0.5 times\u201d means half as likely. "
        "When the interval in brackets reaches across 1, the diary cannot tell the link from chance.",
        "grade_strong": "strong",
        "grade_moderate": "moderate",
        "grade_weak": "weak",
        "grade_none": "none",
        "grade_contradicted": "evidence against",
        "chart_over_time": "Chart: cramps per week",
        "chart_by_hour": "Chart: cramps by hour of day",
        "chart_by_muscle": "Chart: cramps by muscle",
        "chart_forest": "Chart: possible triggers, how many times as likely cramps were",
        "partly_saved": "This assessment was saved with knowledge base {version}: the parts that this version "
        "cannot render again are shown as they were saved.",
        "severity": "Mean severity",
        "duration": "Mean duration",
        "muscles": "Muscles",
        "relief": "What relieved them",
        "days_recorded": "Days with exposures recorded",
        "no_episodes": "No cramps recorded.",
        "medicines": "Medicines taken",
        "days": "days",
        "no_medicines": "No medicines recorded.",
        "triggers": "Personal triggers",
        "method": "Method: each day with cramps is compared with days without cramps in the same month "
        "(time-stratified case-crossover, conditional logistic regression).",
        "charts": "Charts",
        "questions": "Questions worth asking",
        "q_meds": "Could any of my medicines ({meds}) be causing or worsening the cramps?",
        "q_blood": "Should my blood be checked (calcium, magnesium, potassium, kidney and thyroid function, glucose)?",
        "q_cause": "Could this be {name}? What would confirm or rule it out?",
        "q_trigger": "My diary suggests a link with {what}. Could that explain the cramps, and what should I change?",
        "q_urgent": "Which warning signs mean I should seek help urgently?",
        "q_treat": "Is regular calf stretching worth trying, and which treatments should I avoid (e.g. quinine)?",
    },
    "zh": {
        "title": "肌肉抽筋就诊报告",
        "generated": "生成时间",
        "user": "用户",
        "kb": "知识库版本",
        "assessment": "最近一次评估",
        "assessed": "评估时间",
        "age_sex": "年龄 / 性别",
        "female": "女",
        "male": "男",
        "causes": "可能的原因及依据",
        "cause": "原因",
        "probability": "可能性",
        "why": "依据（+ 提高，− 降低）",
        "advice": "给出的建议",
        "evidence": "证据",
        "no_assessment": "尚未保存任何评估。",
        "diary": "抽筋日记",
        "n_episodes": "记录的抽筋次数",
        "per_week": "每周抽筋次数",
        "rate_detail": "{rate}（{days} 天内 {n} 次，{start} 至 {end}）",
        "episode_list": "记录的每次抽筋",
        "episode_list_recent": "共 {total} 次抽筋中最近的 {shown} 次（全部记录见 CSV 导出）",
        "date": "日期",
        "time": "时间",
        "muscle": "部位",
        "side": "哪一侧",
        "severity_short": "严重程度（0-10）",
        "duration_short": "持续时间",
        "minutes": "{m} 分钟",
        "seconds": "{s} 秒",
        "no_charts": "暂无图表：还没有可以画的数据。",
        "no_forest": "没有诱因图：这份日记还不足以估计任何一种生活情况的影响。",
        "how_to_read": "怎样理解：“2 倍”是指在有这种情况的日子之后，抽筋的可能性约为同月其他日子的两倍；"
        "“0.5 倍”是指只有一半。括号里的区间如果跨过 1，说明日记还无法把这种关联和偶然区分开。",
        "grade_strong": "强",
        "grade_moderate": "中等",
        "grade_weak": "弱",
        "grade_none": "无",
        "grade_contradicted": "证据反对",
        "chart_over_time": "图：每周抽筋次数",
        "chart_by_hour": "图：抽筋发生的时刻",
        "chart_by_muscle": "图：抽筋的部位",
        "chart_forest": "图：可能的诱因，抽筋可能性的倍数",
        "partly_saved": "这次评估是用知识库 {version} 保存的：本版本无法重新生成的部分按保存时的内容显示。",
        "severity": "平均严重程度",
        "duration": "平均持续时间",
        "muscles": "部位",
        "relief": "缓解方法",
        "days_recorded": "记录了生活情况的天数",
        "no_episodes": "尚未记录抽筋。",
        "medicines": "服用的药物",
        "days": "天",
        "no_medicines": "未记录药物。",
        "triggers": "个人诱因",
        "method": "方法：把每个抽筋日与同月内未抽筋的日子比较（时间分层病例交叉设计，条件 logistic 回归）。",
        "charts": "图表",
        "questions": "值得问医生的问题",
        "q_meds": "我服用的药物（{meds}）是否可能引起或加重抽筋？",
        "q_blood": "是否需要验血（钙、镁、钾、肾功能、甲状腺功能、血糖）？",
        "q_cause": "这会不会是{name}？怎样确认或排除？",
        "q_trigger": "我的日记显示抽筋与{what}有关。这能解释抽筋吗？我应该怎样调整？",
        "q_urgent": "出现哪些警示症状时我应尽快就医？",
        "q_treat": "规律拉伸小腿值得尝试吗？哪些治疗应避免（例如奎宁）？",
    },
}
MAX_EPISODE_ROWS = 60  # the most recent ones; a longer diary is in the CSV export
RATE_WINDOW_DAYS = 28

_env = Environment(loader=PackageLoader("crampcheck.diary", "templates"), autoescape=select_autoescape(["html"]))


class ReportError(CrampcheckError):
    """The PDF could not be rendered."""


def questions(data: dict[str, Any], lang: str) -> list[str]:
    t = TEXTS[lang]
    out: list[str] = []
    meds = list(data["summary"].medicines)
    if meds:
        out.append(t["q_meds"].format(meds=", ".join(meds[:5])))
    assessment = data.get("assessment")
    if assessment is not None:
        for c in assessment.conditions[:3]:
            if c.probability >= 0.2:
                out.append(t["q_cause"].format(name=c.name))
        if assessment.triage.level in ("doctor", "urgent", "emergency"):
            out.append(t["q_urgent"])
    for e in data["triggers"].triggers:
        out.append(t["q_trigger"].format(what=e.label))
    out.append(t["q_blood"])
    out.append(t["q_treat"])
    return out


def weekly_rate(episodes: pd.DataFrame, exposures: pd.DataFrame, now: dt.datetime) -> dict[str, Any] | None:
    """Cramps per week over the last 4 weeks the diary covers, or fewer days when it is younger.

    The period ends now, or at the end of the last day with a record when the diary was not kept up to now; it
    starts 28 days before, or on the first day with a record when that is later. A diary begun 3 days ago with
    3 cramps gives 7 a week, not 3 / 4.
    """
    if not len(episodes):
        return None
    times = pd.to_datetime(episodes["started_at"])
    days = [times.min().normalize(), times.max().normalize()]
    if len(exposures):
        recorded = pd.to_datetime(exposures["day"])
        days += [recorded.min(), recorded.max()]
    first, last = min(days), max(days)
    end = min(pd.Timestamp(now), last + pd.Timedelta(days=1))
    start = max(first, end - pd.Timedelta(days=RATE_WINDOW_DAYS))
    covered = max((end - start) / pd.Timedelta(days=1), 1.0)
    n = int(((times >= start) & (times < end)).sum())
    return {
        "per_week": round(n / covered * 7, 1),
        "n": n,
        "days": round(covered) if covered >= 2 else round(covered, 1),
        "start": start.strftime("%Y-%m-%d"),
        "end": (end - pd.Timedelta(seconds=1)).strftime("%Y-%m-%d"),
    }


def duration_text(seconds: float | None, lang: str) -> str:
    """A duration as people say it: "90 s", "6 min" (from 2 minutes on); empty when unknown."""
    t = TEXTS[lang]
    if seconds is None or pd.isna(seconds):
        return ""
    if seconds >= 120:
        return t["minutes"].format(m=f"{seconds / 60:.0f}")
    return t["seconds"].format(s=f"{seconds:.0f}")


def episode_rows(episodes: pd.DataFrame, lang: str) -> list[dict[str, str]]:
    """The most recent episodes, newest first, as the report's table shows them."""
    rows = []
    recent = episodes.assign(_t=pd.to_datetime(episodes["started_at"])).sort_values("_t", ascending=False)
    for r in recent.head(MAX_EPISODE_ROWS).to_dict("records"):
        shown = duration_text(r.get("duration_s"), lang)
        side = r.get("side")
        rows.append(
            {
                "date": r["_t"].strftime("%Y-%m-%d"),
                "time": r["_t"].strftime("%H:%M"),
                "muscle": EPISODE["muscle"].word(str(r["muscle"]), lang),
                "side": EPISODE["side"].word(side, lang) if isinstance(side, str) else "",
                "severity": str(r["severity"]),
                "duration": shown,
            }
        )
    return rows


def in_language(record: Assessment | StoredAssessment, lang: str) -> tuple[Assessment | StoredAssessment, bool]:
    """The saved assessment with its texts in ``lang`` and whether all of them are: the same answers assessed
    again by this knowledge base in ``lang`` when it gives the same result (as it does for what it saved);
    otherwise the names and advice it still knows by id, the rest as saved."""
    if record.lang == lang:
        return record, True
    assessment: Assessment | StoredAssessment = record
    if isinstance(record, StoredAssessment):
        try:
            assessment = Assessment.model_validate(record.model_dump(mode="json", exclude={"record_version"}))
        except ValueError:
            assessment = record
    from crampcheck.assess import default_assessor
    from crampcheck.diary.verify import verified_assessment

    assessor = default_assessor()
    if isinstance(assessment, Assessment):
        try:
            return verified_assessment(assessor, assessment.model_copy(update={"lang": lang})), True
        except CrampcheckError:
            pass
    kb = assessor.kb
    conditions = [
        c.model_copy(update={"name": kb.conditions[c.id].name.get(lang)}) if c.id in kb.conditions else c
        for c in assessment.conditions
    ]
    advice = [
        x.model_copy(update={"text": kb.advice[x.id].text.get(lang)}) if x.id in kb.advice else x
        for x in assessment.advice
    ]
    triage = assessment.triage
    tt = kb.triage_text.get(triage.level)
    if tt is not None:
        triage = triage.model_copy(update={"label": tt.label.get(lang), "message": tt.message.get(lang)})
    update = {"conditions": conditions, "advice": advice, "triage": triage, "lang": lang}
    return assessment.model_copy(update=update), False


def gather(*, session: Session, user_id: int, lang: str = "en") -> dict[str, Any]:
    """Everything the report shows, read from the diary of ``user_id``."""
    if lang not in TEXTS:
        raise InputError(f"report language {lang!r} must be en or zh")
    user = session.get(User, user_id)
    view = read_diary(session=session, user_id=user_id, lang=lang)
    episodes, exposures = view.episode_table, view.exposure_table
    latest = view.latest
    assessment, complete = in_language(latest[1], lang) if latest else (None, True)
    now = dt.datetime.now()
    pngs = charts.all_pngs(episodes, view.triggers, lang, with_data_only=True)
    data: dict[str, Any] = {
        "lang": lang,
        "user": user.name if user else str(user_id),
        "generated": now.strftime("%Y-%m-%d %H:%M"),
        "summary": view.summary,
        "rate": weekly_rate(episodes, exposures, now),
        "episode_rows": episode_rows(episodes, lang),
        "triggers": view.triggers,
        "charts": {k: base64.b64encode(v).decode("ascii") for k, v in pngs.items()},
        "assessment": assessment,
        "assessment_complete": complete,
        "assessment_at": latest[0].created_at.strftime("%Y-%m-%d %H:%M") if latest else None,
    }
    data["questions"] = questions(data, lang)
    return data


def render_html(data: dict[str, Any]) -> str:
    lang = data["lang"]
    t = TEXTS[lang]
    a = data.get("assessment")
    muscle = EPISODE["muscle"]
    return _env.get_template("report.html").render(
        **data,
        t=t,
        causes=a.conditions[:6] if a else [],
        advice=[x for x in a.advice if x.kind in ("see", "now", "prevent")][:8] if a else [],
        sex_label=t[a.sex] if a else "",
        muscles=[(muscle.word(k, lang), v) for k, v in data["summary"].by_muscle.items()],
        mean_duration=duration_text(data["summary"].mean_duration_s, lang),
    )


def render_pdf(data: dict[str, Any]) -> bytes:
    return html_to_pdf(render_html(data))


def html_to_pdf(html: str) -> bytes:
    """The PDF of a report page made by :func:`render_html` (WeasyPrint)."""
    import weasyprint

    try:
        return weasyprint.HTML(string=html).write_pdf()  # type: ignore[no-any-return]
    except Exception as exc:  # WeasyPrint raises many kinds; name the step that failed
        raise ReportError(f"could not render the PDF report: {exc}") from exc
