"""The daily reminders in `parindex serve`'s worker (django-tasks, database backend): the job
sends the day's reminders and queues itself for the next reminder hour. `parindex serve`
queues one run when it starts, so that a server started after the hour still reminds today
(the reminders are sent once each: an extra run sends nothing twice)."""

from __future__ import annotations

from django_tasks import task

DAILY = "parindex.plans.jobs.daily_reminders"


@task()
def daily_reminders() -> str:
    from parindex.plans.services import send_reminders

    try:
        report = send_reminders()
    finally:
        schedule_next()
    return f"{report.sent} reminders, {report.emailed} e-mailed"


def _pending(later: bool):
    """The queued runs: those for a later hour (`later`), or those due now (a run queued
    without a time is stored with the largest date)."""
    from django.db.models import Q
    from django.utils import timezone
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    now, immediate = timezone.now(), get_date_max()
    ready = DBTaskResult.objects.filter(task_path=DAILY, status=TaskResultStatus.READY)
    if later:
        return ready.filter(run_after__gt=now).exclude(run_after=immediate)
    return ready.filter(Q(run_after__lte=now) | Q(run_after=immediate))


def schedule_next() -> None:
    """Queue the run at the next reminder hour, unless one is queued for later already."""
    from parindex.plans.services import next_run

    if not _pending(later=True).exists():
        daily_reminders.using(run_after=next_run()).enqueue()


def start_daily() -> None:
    """At the server's start: one run now (which queues the next) unless one is waiting."""
    if not _pending(later=False).exists():
        daily_reminders.enqueue()
