"""The demo province with a remediation plan's people, and the steps of a plan, for the plan
tests (`plan_demo` is in conftest.py)."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from parindex.plans import services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = date(2027, 3, 1)


def pdf(name="quyet-dinh.pdf", extra=b""):
    return SimpleUploadedFile(name, PDF + extra, content_type="application/pdf")


def actor(demo, name):
    return services.Actor.person(demo["people"][name])


def draft_again(demo, name="erin"):
    return services.draft(actor(demo, name), demo["framework"], demo["units"]["SYT"])


def drafted(demo):
    return draft_again(demo)[0]


def planned(demo, plan, code="2.1", unit="BVDK", deadline=TODAY + timedelta(days=30)):
    item = plan.items.get(code=code)
    return services.update_item(
        actor(demo, "erin"),
        item,
        {"solution": "Ban hành kế hoạch", "responsible": unit, "deadline": deadline},
    )


def approved(demo):
    """A drafted plan, every item planned (2.1 for the hospital, the rest for the office),
    approved by dave."""
    plan = drafted(demo)
    for item in plan.items.all():
        planned(demo, plan, item.code, "BVDK" if item.code == "2.1" else "SYT-VP")
    return services.transition(actor(demo, "dave"), plan, "approve")
