"""Demo accounts and a demo round, so that every role can be tried in the browser.

Only `parindex demo` creates them. The passwords are printed by `parindex serve`: they are
for a demonstration machine, never for real data.

The round is the year in progress (so-2023; the demo's published results are 2021 and 2022):
the Sở Y tế assesses itself and four of its units. Each role finds work on logging in — the
Sở's office has submitted its own self-assessment, which waits for the leader's approval; the
hospital has started scoring; the CDC has submitted, for the appraiser to start; the officer
follows the round. An older demo database keeps its 2022 round beside the new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from parindex.assessments.access import access_for
from parindex.assessments.actions import RoundDates, open_round, transition
from parindex.assessments.criteria import set_note, set_points, set_value
from parindex.assessments.models import Round
from parindex.domain.i18n import gettext_noop as N_
from parindex.frameworks.models import Framework
from parindex.units.models import Membership, Unit

DEMO_FRAMEWORK = "so-2023"
DEMO_ROUND = "Tự đánh giá CCHC năm 2023 — Sở Y tế và các đơn vị thuộc Sở (dữ liệu mẫu)"
DEMO_UNITS = ("SYT", "BVDK", "CDC", "TTYT-A", "TTYT-B")
APPRAISED_BY_THE_DEMO_APPRAISER = ("BVDK", "CDC")
REASON = "dữ liệu mẫu"

# What each unit's staff has entered: (criterion, points) or (input, figure), each scored
# criterion with the explanation a reviewer reads (a submission needs evidence or one).
SYT_WORK = {
    "points": (
        ("1.1", "1.5", "Kế hoạch CCHC năm 2023 số 25/KH-SYT ngày 10/01/2023, ban hành đúng hạn."),
        ("1.5", "1", "Giải pháp tiếp nhận hồ sơ qua Zalo OA được áp dụng từ quý II/2023."),
        ("2.2", "2.25", "Quyết định 312/QĐ-SYT công bố kết quả rà soát VBQPPL năm 2023."),
        ("3.6", "2", "Báo cáo rà soát, đơn giản hóa 12 TTHC gửi Văn phòng UBND tỉnh."),
        ("4.1", "2", "Đề án sắp xếp các phòng thuộc Sở đã được UBND tỉnh phê duyệt."),
        ("4.3", "1.25", "Ủy quyền cho 3 đơn vị; còn 1 nội dung chưa ban hành quyết định."),
        ("7.1", "2", "100 % văn bản đi được ký số trên hệ thống quản lý văn bản."),
    ),
    "figures": (
        ("plan.tasks", "19"),
        ("plan.tasks_done", "17"),
        ("reports.late", "1"),
    ),
    "explained": (
        ("1.2", "Hoàn thành 17/19 nhiệm vụ; 2 nhiệm vụ chuyển sang năm 2024 (Báo cáo 98/BC-SYT)."),
        ("1.3", "Báo cáo quý III gửi chậm 2 ngày do hệ thống báo cáo của tỉnh gián đoạn."),
    ),
}
CDC_WORK = {
    "points": (
        ("1.1", "1.5", "Kế hoạch CCHC năm 2023 số 08/KH-CDC ngày 16/01/2023."),
        ("2.2", "2", "Báo cáo rà soát văn bản nội bộ năm 2023."),
        ("4.3", "1", "Quyết định phân công nhiệm vụ các khoa, phòng."),
    ),
    "figures": (),
    "explained": (),
}
# The hospital has only started: a few criteria scored, nothing explained yet.
BVDK_WORK = (("1.1", "1.25"), ("2.2", "2"), ("3.6", "1.5"), ("4.3", "1"))


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str  # a Membership role
    unit: str
    description: str  # an English msgid (N_): shown in the user's language by `parindex serve`

    @property
    def password(self) -> str:
        return f"{self.username}-demo"


DEMO_ACCOUNTS = (
    DemoAccount(
        "chuyenvien",
        "Nguyễn Thị Hoa",
        "officer",
        "SYT",
        N_("CCHC officer, office of the Sở"),
    ),
    DemoAccount(
        "lanhdao", "Trần Văn Minh", "leader", "SYT", N_("Deputy Director of the Sở, leader")
    ),
    DemoAccount(
        "canbo.syt",
        "Vũ Thị Lan",
        "staff",
        "SYT",
        N_("staff of the Sở's office"),
    ),
    DemoAccount(
        "canbo.bvdk", "Lê Thu Trang", "staff", "BVDK", N_("unit staff, provincial general hospital")
    ),
    DemoAccount("canbo.cdc", "Phạm Quốc Huy", "staff", "CDC", N_("unit staff, provincial CDC")),
    DemoAccount(
        "thamdinh",
        "Đỗ Thanh Bình",
        "appraiser",
        "SNV",
        N_("appraiser of the Sở Nội vụ (BVDK, CDC)"),
    ),
)


@transaction.atomic
def load_demo_accounts() -> int:
    """Create the demo accounts and the demo round once; returns how many accounts were new.
    Running it again changes nothing; a database with an older demo round keeps it."""
    users = get_user_model().objects
    created = 0
    accounts = {}
    for account in DEMO_ACCOUNTS:
        user = users.filter(username=account.username).first()
        if user is None:
            first, _, last = account.full_name.rpartition(" ")
            user = users.create_user(
                account.username, password=account.password, first_name=last, last_name=first
            )
            created += 1
        accounts[account.username] = user
        Membership.objects.get_or_create(  # the appraiser's: in the Sở Nội vụ (SNV)
            user=user, unit=Unit.objects.get(code=account.unit), role=account.role
        )
    if not Round.objects.filter(title=DEMO_ROUND).exists():
        _demo_round(accounts)
    from parindex.library.demo_plan import load_demo_plan

    load_demo_plan(accounts)
    return created


def _demo_round(accounts) -> Round:
    """The round of the year in progress, as the first hour of each role finds it."""
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=DEMO_UNITS)}
    today = timezone.localdate()
    appraiser = accounts["thamdinh"]
    round_ = open_round(
        accounts["chuyenvien"],
        framework=Framework.objects.get(code=DEMO_FRAMEWORK),
        owner=units["SYT"],
        title=DEMO_ROUND,
        dates=RoundDates(
            today + timedelta(days=21),
            today + timedelta(days=45),
            today + timedelta(days=60),
            today + timedelta(days=75),
        ),
        units=[units[code] for code in DEMO_UNITS],
        appraisers={units[code].pk: [appraiser] for code in APPRAISED_BY_THE_DEMO_APPRAISER},
    )
    hospital = round_.assessments.get(unit__code="BVDK")
    for code, points in BVDK_WORK:
        set_points(
            access_for(accounts["canbo.bvdk"], hospital),
            code,
            Decimal(points),
            expected_version=None,
            reason=REASON,
        )
    _submitted(round_, "SYT", accounts["canbo.syt"], SYT_WORK)
    _submitted(round_, "CDC", accounts["canbo.cdc"], CDC_WORK)
    return round_


def _submitted(round_: Round, code: str, staff, work: dict) -> None:
    """A self-assessment in part scored, every scored criterion explained, and submitted."""
    assessment = round_.assessments.get(unit__code=code)
    access = access_for(staff, assessment)
    for criterion, points, explanation in work["points"]:
        set_points(access, criterion, Decimal(points), expected_version=None, reason=REASON)
        set_note(access, criterion, explanation, expected_version=None)
    for name, value in work["figures"]:
        set_value(access, name, value, expected_version=None, reason=REASON)
    for criterion, explanation in work["explained"]:
        set_note(access, criterion, explanation, expected_version=None)
    transition(staff, assessment, "submit", note="Đã rà soát, đề nghị thẩm định.")
