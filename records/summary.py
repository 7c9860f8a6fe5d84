"""The discharge summary (docs/api.md §11): one PDF for the referring doctor and the patient — the program,
adherence by week, pain and VISA-A over time as charts, flags and decisions, and what comes next.

Made with reportlab (pure Python, no system libraries): its platypus flowables for the text and tables and its
graphics package for the charts, so the PDF's text can be read back (tests do, with pypdf).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from xml.sax.saxutils import escape

from django.db.models import Avg
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from exercises.adherence import adherence_for_programs
from exercises.models import AfterCare, Program, SetLog
from exercises.running import progress
from notifications.models import Flag, FollowUp, OutcomeReview
from patients.models import CheckIn, Patient, VisaA

BLUE, AMBER = colors.HexColor("#417690"), colors.HexColor("#e1a23b")
NEXT_STEP_LABELS = {
    "maintenance": "Maintenance: the program's exercises twice a week for 12 more weeks at the last load",
    "return_to_running": "Return to running: a walk–run progression judged by the pain-monitoring rules",
    "discharged": "Discharged",
    "referred": "Referred on",
}


def _styles():
    sheet = getSampleStyleSheet()
    return sheet["Title"], sheet["Heading2"], sheet["BodyText"]


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _table(rows: list[list[str]], widths=None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))  # fmt: skip
    return table


def _bar_chart(title: str, labels: list[str], values: list[float], top: float) -> Flowable:
    drawing = Drawing(170 * mm, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 8 * mm, 150 * mm, 38 * mm
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or [""]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
    chart.bars[0].fillColor = BLUE
    drawing.add(chart)
    drawing.add(String(12 * mm, 50 * mm, title, fontSize=9))
    return drawing


def _line_chart(title: str, labels: list[str], series: list[list[float | None]], top: float) -> Flowable:
    """Lines over categories, with a dot at every value (a series with gaps or one value still shows)."""
    drawing = Drawing(170 * mm, 55 * mm)
    left, bottom, width, height = 12 * mm, 8 * mm, 150 * mm, 38 * mm
    drawing.add(Line(left, bottom, left + width, bottom, strokeColor=colors.grey))
    drawing.add(Line(left, bottom, left, bottom + height, strokeColor=colors.grey))
    for value in (0, top / 2, top):
        y = bottom + height * value / top
        drawing.add(String(left - 2, y - 3, f"{value:g}", fontSize=7, textAnchor="end"))
    step = width / max(len(labels), 1)
    for n, label in enumerate(labels):
        drawing.add(String(left + step * (n + 0.5), bottom - 8, label, fontSize=6, textAnchor="middle"))
    for values, colour in zip(series, (BLUE, AMBER), strict=False):
        points = [(left + step * (n + 0.5), bottom + height * v / top) for n, v in enumerate(values) if v is not None]
        if len(points) > 1:
            drawing.add(PolyLine([c for point in points for c in point], strokeColor=colour, strokeWidth=1.5))
        for x, y in points:
            drawing.add(Circle(x, y, 1.8, fillColor=colour, strokeColor=colour))
    drawing.add(String(left, 50 * mm, title, fontSize=9))
    return drawing


def _weekly_pain(program: Program) -> tuple[dict[int, float], dict[int, float]]:
    """Mean exercise pain per program week, and mean morning pain per week of the program's calendar."""
    exercise = {
        w: round(float(m), 1)
        for w, m in SetLog.objects.filter(program=program, date__lte=program.end_date)  # not maintenance's sets
        .values_list("week")
        .annotate(m=Avg("pain"))
        .order_by()
    }
    morning: dict[int, list[int]] = defaultdict(list)
    rows = CheckIn.objects.filter(patient=program.patient, date__gte=program.start_date, date__lte=program.end_date)
    for day, pain in rows.values_list("date", "morning_pain"):
        morning[min((day - program.start_date).days // 7 + 1, 12)].append(pain)
    return exercise, {w: round(sum(v) / len(v), 1) for w, v in morning.items()}


def summary_pdf(patient: Patient, *, today: dt.date) -> bytes:
    title, heading, body = _styles()
    program = Program.objects.filter(patient=patient).order_by("-start_date", "-id").first()
    story: list[Flowable] = [_p("Rehab Tracker — discharge summary", title)]
    story.append(_p(
        f"Patient {patient.user.username} (record {patient.id}); Achilles tendinopathy, {patient.tendinopathy}, "
        f"side {patient.side}. Printed {today.isoformat()}.", body))  # fmt: skip
    if program is None:
        story.append(_p("No program yet.", body))
        return _build(story)
    story += [_p("Program", heading), _p(
        f"{program.protocol} from {program.start_date} to {program.end_date} ({program.status}). Loads: "
        + (", ".join(f"{k.replace('_', ' ')} {v} kg" for k, v in program.loads.items()) or "body weight") + ".",
        body)]  # fmt: skip

    adherence = adherence_for_programs([program])[program.id]
    weeks = adherence.weeks
    story.append(_p("Adherence by week", heading))
    overall = "no finished days" if adherence.overall is None else f"{round(adherence.overall * 100)}%"
    story.append(_p(f"Over the program: {overall} of the prescribed sets (reps-weighted).", body))
    story.append(_bar_chart("Adherence by week (%)", [str(w.week) for w in weeks],
                            [round((w.adherence or 0) * 100) for w in weeks], 100))  # fmt: skip
    story.append(_table([["Week", "Prescribed sets", "Completed sets", "Adherence"]] + [
        [str(w.week), f"{w.prescribed_sets:g}", f"{w.completed_sets:g}",
         "—" if w.adherence is None else f"{round(w.adherence * 100)}%"] for w in weeks]))  # fmt: skip

    exercise_pain, morning_pain = _weekly_pain(program)
    labels = [str(w) for w in range(1, 13)]
    story.append(_p("Pain over time", heading))
    story.append(_line_chart("Mean pain by week (0–10): exercise (blue), morning (amber)", labels,
                             [[exercise_pain.get(w) for w in range(1, 13)],
                              [morning_pain.get(w) for w in range(1, 13)]], 10))  # fmt: skip

    scores = list(VisaA.objects.filter(patient=patient).order_by("date", "id").values_list("date", "score"))
    story.append(_p("VISA-A over time", heading))
    if scores:
        story.append(_line_chart("VISA-A (0–100)", [d.isoformat() for d, _ in scores], [[s for _, s in scores]], 100))
        story.append(_table([["Date", "VISA-A"]] + [[d.isoformat(), str(s)] for d, s in scores]))
    else:
        story.append(_p("No VISA-A recorded.", body))

    story.append(_p("Flags and decisions", heading))
    flags = list(Flag.objects.filter(patient=patient).order_by("created_at"))
    if flags:
        story.append(_table([["Raised", "Kind", "Status", "Decision"]] + [
            [f.created_at.date().isoformat(), f.kind.replace("_", " "), f.status,
             _p(f"{f.outcome + ': ' if f.outcome else ''}{f.note}", body)] for f in flags],
            widths=[22 * mm, 32 * mm, 24 * mm, 90 * mm]))  # fmt: skip
    else:
        story.append(_p("No flags were raised.", body))
    story += _what_next(program, body, heading)
    return _build(story)


def _what_next(program: Program, body, heading) -> list[Flowable]:
    out: list[Flowable] = [_p("What comes next", heading)]
    review = OutcomeReview.objects.filter(program=program).first()
    aftercare = AfterCare.objects.filter(program=program).select_related("gate").first()
    if review is not None and review.outcome is not None:
        base = "no baseline" if review.baseline is None else f"baseline {review.baseline}"
        out.append(_p(f"Week-12 VISA-A {review.outcome} ({base}).", body))
    if aftercare is None:
        out.append(_p("The end-of-program review has not been decided yet.", body))
        return out
    line = NEXT_STEP_LABELS[aftercare.state]
    if aftercare.referral:
        line += f": {aftercare.get_referral_display()}" + (
            f" — {aftercare.referral_note}" if aftercare.referral_note else ""
        )
    out.append(_p(line + f" (from {aftercare.starts_on}).", body))
    if review and review.clinical_note:
        out.append(_p(f"Clinical note: {review.clinical_note}", body))
    if review and review.patient_note:
        out.append(_p(f"Told the patient: {review.patient_note}", body))
    gate = getattr(aftercare, "gate", None)
    if gate is not None and gate.signed_at:
        out.append(_p(f"Return-to-running checklist signed {gate.signed_at.date()}.", body))
    logs = list(aftercare.run_logs.all())
    if logs:
        state = progress(logs)
        out.append(_p(f"Running: {len(logs)} sessions logged; next step {state.step} of {state.steps} "
                      f"({state.minutes_run} min){' — held by pain' if state.held else ''}.", body))  # fmt: skip
    follow = FollowUp.objects.filter(program=program)
    if follow:
        out.append(_p("Follow-up VISA-A: " + "; ".join(
            f"{f.months} months ({f.due_on}): {f.score if f.score is not None else 'not yet answered'}" for f in follow
        ) + ".", body))  # fmt: skip
    return out


def _build(story: list[Flowable]) -> bytes:
    buffer = io.BytesIO()
    margins = {"leftMargin": 18 * mm, "rightMargin": 18 * mm, "topMargin": 16 * mm, "bottomMargin": 16 * mm}
    doc = SimpleDocTemplate(buffer, pagesize=A4, title="Discharge summary", author="Rehab Tracker", **margins)
    story.insert(1, Spacer(1, 4 * mm))
    doc.build(story)
    return buffer.getvalue()
