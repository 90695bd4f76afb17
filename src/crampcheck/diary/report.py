"""The doctor report: one HTML page (Jinja2) and its PDF (WeasyPrint), in English or Chinese, from the diary's
read model (:mod:`crampcheck.diary.readmodel`) and the stored assessment record (:mod:`crampcheck.diary.records`).

It holds the latest saved assessment (triage, likely causes and why), the diary summary and
charts, medicines, the personal trigger analysis and questions worth asking. Chinese needs a CJK
font on the machine (Debian ``fonts-noto-cjk``); the stylesheet names Noto Sans CJK SC first.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from crampcheck.diary import charts
from crampcheck.diary.fields import EPISODE
from crampcheck.diary.readmodel import read_diary
from crampcheck.errors import CrampcheckError, InputError
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
        "per_week": "Per week, last 4 weeks",
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
        "per_week": "最近 4 周每周次数",
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


def gather(*, session: Session, user_id: int, lang: str = "en") -> dict[str, Any]:
    """Everything the report shows, read from the diary of ``user_id``."""
    if lang not in TEXTS:
        raise InputError(f"report language {lang!r} must be en or zh")
    user = session.get(User, user_id)
    view = read_diary(session=session, user_id=user_id, lang=lang)
    latest = view.latest
    data: dict[str, Any] = {
        "lang": lang,
        "user": user.name if user else str(user_id),
        "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "summary": view.summary,
        "triggers": view.triggers,
        "charts": {
            k: base64.b64encode(v).decode("ascii")
            for k, v in charts.all_pngs(view.episode_table, view.triggers, lang).items()
        },
        "assessment": latest[1] if latest else None,
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
    )


def render_pdf(data: dict[str, Any]) -> bytes:
    import weasyprint

    try:
        return weasyprint.HTML(string=render_html(data)).write_pdf()  # type: ignore[no-any-return]
    except Exception as exc:  # WeasyPrint raises many kinds; name the step that failed
        raise ReportError(f"could not render the PDF report: {exc}") from exc
