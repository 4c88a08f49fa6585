"""makemessages that also extracts `N_("…")`, the no-op marker of the pure domain code."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
