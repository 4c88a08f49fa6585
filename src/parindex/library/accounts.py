"""Demo accounts and a demo round, so that every role can be tried in the browser.

Only `parindex demo` creates them. The passwords are printed by `parindex serve`: they are
for a demonstration machine, never for real data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from parindex.assessments.access import access_for
from parindex.assessments.actions import RoundDates, open_round
from parindex.assessments.criteria import set_points
from parindex.assessments.models import Round, ScoreEntry
from parindex.frameworks.models import Framework
from parindex.units.models import Membership, Unit

DEMO_ROUND = "Tự đánh giá CCHC năm 2022 — đơn vị thuộc Sở Y tế (dữ liệu mẫu)"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str  # a Membership role, or "appraiser"
    unit: str
    description: str

    @property
    def password(self) -> str:
        return f"{self.username}-demo"


DEMO_ACCOUNTS = (
    DemoAccount(
        "chuyenvien",
        "Nguyễn Thị Hoa",
        "officer",
        "SYT",
        "công chức phụ trách CCHC, Văn phòng Sở / CCHC officer",
    ),
    DemoAccount("lanhdao", "Trần Văn Minh", "leader", "SYT", "Phó Giám đốc Sở / leader"),
    DemoAccount(
        "canbo.bvdk", "Lê Thu Trang", "staff", "BVDK", "cán bộ Bệnh viện Đa khoa tỉnh / unit staff"
    ),
    DemoAccount("canbo.cdc", "Phạm Quốc Huy", "staff", "CDC", "cán bộ CDC tỉnh / unit staff"),
    DemoAccount(
        "thamdinh",
        "Đỗ Thanh Bình",
        "appraiser",
        "BVDK",
        "thẩm định viên Sở Nội vụ / appraiser (BVDK, CDC)",
    ),
)


@transaction.atomic
def load_demo_accounts() -> int:
    """Create the demo accounts and the demo round once; returns how many accounts were new."""
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
        if account.role != "appraiser":
            Membership.objects.get_or_create(
                user=user, unit=Unit.objects.get(code=account.unit), role=account.role
            )
    framework = Framework.objects.get(code="so-2022")
    if Round.objects.filter(title=DEMO_ROUND).exists():
        return created
    syt = Unit.objects.get(code="SYT")
    units = list(Unit.objects.filter(code__in=["BVDK", "CDC", "TTYT-A", "TTYT-B"]))
    today = timezone.localdate()
    appraiser = accounts["thamdinh"]
    round_ = open_round(
        accounts["chuyenvien"],
        framework=framework,
        owner=syt,
        title=DEMO_ROUND,
        dates=RoundDates(
            today + timedelta(days=21),
            today + timedelta(days=45),
            today + timedelta(days=60),
            today + timedelta(days=75),
        ),
        units=units,
        appraisers={unit.pk: [appraiser] for unit in units if unit.code in ("BVDK", "CDC")},
    )
    # The hospital has started its self-assessment: a few criteria scored.
    hospital = round_.assessments.get(unit__code="BVDK")
    staff = accounts["canbo.bvdk"]
    for code, points in (("1.1", "1.25"), ("2.2", "2"), ("3.6", "1.5"), ("4.3", "1")):
        if not ScoreEntry.objects.filter(
            framework=framework, unit=hospital.unit, stage="self", key=code
        ).exists():
            set_points(
                access_for(staff, hospital),
                code,
                Decimal(points),
                expected_version=None,
                reason="dữ liệu mẫu",
            )
    return created
