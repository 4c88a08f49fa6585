"""The demo's remediation plan: the Sở Y tế's plan after its 2022 results, drafted by the
CCHC officer from the loss analysis, every item planned, approved by the leader, and under way
— two items done with their evidence, some overdue, some due within the week — so that the
plan page, the item pages and each unit's home page show a plan being followed."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from parindex.frameworks.models import Framework
from parindex.plans.models import RemediationPlan
from parindex.plans.services import Actor, attach_evidence, draft, transition, update_item
from parindex.units.models import Unit

PLAN_FRAMEWORK = "so-2022"
PLAN_UNIT = "SYT"
# Who remedies what: the hospital and the CDC the citizens' feedback; the Sở the rest.
RESPONSIBLE = {"3.5": "BVDK", "8.2": "BVDK", "8.1": "CDC", "XHH.2": "CDC"}
SOLUTIONS = {
    "2.1": "Lập danh mục VBQPPL cần xây dựng năm 2023, giao từng phòng với thời hạn; "
    "Văn phòng theo dõi hằng tháng.",
    "8.2": "Công khai đường dây nóng tại khoa khám bệnh; trả lời phản ánh trong 5 ngày làm việc.",
    "1.4": "Cập nhật nhiệm vụ được giao vào hệ thống theo dõi; nhắc hạn trước 7 ngày.",
    "7.4": "Số hóa hồ sơ, kết quả giải quyết TTHC ngay khi tiếp nhận tại Bộ phận Một cửa.",
    "3.3": "Ghi nhận đầy đủ hồ sơ tiếp nhận, trả kết quả qua bưu chính trên phần mềm một cửa.",
}
# Days from today to each deadline, in the order of the items (largest loss first): two
# passed, two within the week, the rest over the coming months.
DEADLINES = (-5, -2, 3, 6, 20, 35, 45, 60, 75, 90)
DONE = {"3.3": "Báo cáo 112/BC-SYT: 100 % hồ sơ bưu chính đã được ghi nhận trên phần mềm."}
STARTED = {"2.1": 60, "8.2": 40, "7.4": 25}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def load_demo_plan(accounts) -> RemediationPlan | None:
    """Once: a database that has the plan keeps it as it is."""
    framework = Framework.objects.filter(code=PLAN_FRAMEWORK).first()
    unit = Unit.objects.filter(code=PLAN_UNIT).first()
    if framework is None or unit is None:
        return None
    if RemediationPlan.objects.filter(framework=framework, unit=unit).exists():
        return None
    officer, leader = Actor.person(accounts["chuyenvien"]), Actor.person(accounts["lanhdao"])
    plan, _added = draft(officer, framework, unit)
    today = timezone.localdate()
    for index, item in enumerate(plan.items.order_by("position")):
        days = DEADLINES[index] if index < len(DEADLINES) else 90 + 15 * (index - 9)
        update_item(
            officer,
            item,
            {
                "cause": item.cause or "Chưa có giải pháp theo dõi, đôn đốc thường xuyên.",
                "solution": SOLUTIONS.get(
                    item.code, "Rà soát nguyên nhân, bổ sung giải pháp và tài liệu kiểm chứng."
                ),
                "responsible": RESPONSIBLE.get(item.code, PLAN_UNIT),
                "supporting": [PLAN_UNIT] if item.code in RESPONSIBLE else [],
                "deadline": today + timedelta(days=days),
            },
            reason="dữ liệu mẫu",
        )
    plan = transition(leader, plan, "approve")
    staff = {
        PLAN_UNIT: accounts["canbo.syt"],
        "BVDK": accounts["canbo.bvdk"],
        "CDC": accounts["canbo.cdc"],
    }
    for item in plan.items.select_related("responsible"):
        who = Actor.person(staff[item.responsible.code])
        if item.code in DONE:
            upload = SimpleUploadedFile(f"{item.code}.pdf", PDF, content_type="application/pdf")
            attach_evidence(who, item, upload, DONE[item.code])
            update_item(
                who, item, {"status": "done", "progress": 100, "progress_note": DONE[item.code]}
            )
        elif item.code in STARTED:
            update_item(who, item, {"progress": STARTED[item.code]})
    return plan
