from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from parindex.assessments.access import memberships_of, tree_roles
from parindex.assessments.actions import RoundDates, assessed_units
from parindex.assessments.criteria import EvidenceInfo
from parindex.domain import workflow
from parindex.domain.i18n import Message
from parindex.frameworks.models import Framework
from parindex.units.models import Membership, Unit
from parindex.units.people import appraiser_accounts, full_name, tree_rows

# Dates are typed and shown day first, whatever the browser's language: a text field, not
# type="date", whose picker follows the browser's locale (mm/dd/yyyy on an English Windows)
# and lets 03/04 be read as the 4th of March. ISO dates (2026-04-03) are read too.
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_INPUT = forms.DateInput(
    attrs={
        "placeholder": "dd/mm/yyyy",
        "inputmode": "numeric",
        "pattern": r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2}",
        "autocomplete": "off",
        "size": "10",
    },
    format="%d/%m/%Y",
)


def date_field(label, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=DATE_INPUT, input_formats=DATE_FORMATS
    )


@dataclass
class UnitRow:
    """One unit of the owner's subtree on the round form."""

    unit: Unit
    depth: int
    checked: bool
    refusal: Message | None  # why it cannot join (already assessed on the framework)
    chosen: set[str] = field(default_factory=set)  # its own appraisers (user ids)
    names: list[str] = field(default_factory=list)  # their full names

    @property
    def field(self) -> str:
        return f"appraisers-{self.unit.pk}"


class RoundForm(forms.Form):
    """Open a round: the framework, the department that runs it (a unit the user is the CCHC
    officer of), the units of its subtree shown as a tree, and the appraisers of each unit,
    chosen among the accounts holding the appraiser role. Everything is read once (a fixed
    number of queries however many units); whether a unit may join stays `open_round`'s
    check, shown beside each unit that already has an assessment of the framework.

    `refresh`: the user changed the framework or the department (HTMX, or the button shown
    without JavaScript): the form shows the entries again, without errors."""

    framework = forms.TypedChoiceField(label=_("Framework"), coerce=int)
    owner = forms.TypedChoiceField(label=_("Run by"), coerce=int)
    title = forms.CharField(label=_("Round title"), max_length=300)
    title_default = forms.CharField(widget=forms.HiddenInput, required=False)
    self_due = date_field(_("Self-assessment due"))
    appraisal_due = date_field(_("Appraisal due"))
    explanation_due = date_field(_("Explanations due"))
    appraisal2_due = date_field(_("Second appraisal due"))
    units = forms.TypedMultipleChoiceField(label=_("Units"), coerce=int, required=False)
    all_units = forms.BooleanField(required=False)
    appraisers = forms.TypedMultipleChoiceField(
        label=_("Appraisers of every unit without its own"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, user, data=None, *, refresh: bool = False):
        self.entries = data  # what the user chose so far (posted, or refreshed)
        super().__init__(None if refresh else data)
        memberships = memberships_of(user)
        self.unit_map = {u.pk: u for u in Unit.objects.only("id", "code", "name", "parent_id")}
        parents = {pk: unit.parent_id for pk, unit in self.unit_map.items()}

        def officer(pk):
            return workflow.OFFICER in tree_roles(user, pk, memberships, parents)

        own = {pk for pk, role in memberships if role == Membership.Role.OFFICER}
        owners = list(self.unit_map) if user.is_superuser else [pk for pk in own if pk in parents]
        self.reach = {pk for pk in self.unit_map if officer(pk)}  # units the user may assess
        self.owners = sorted(
            (self.unit_map[pk] for pk in owners), key=lambda u: (self._depth(u), u.code)
        )
        self.fields["owner"].choices = [(u.pk, str(u)) for u in self.owners]
        # Another framework or department: its units come back (HTMX, the typed entries
        # stay; without JavaScript, the "show the units" button sends the whole form back).
        for name in ("framework", "owner"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-post": reverse("web:round_create"),
                    "hx-trigger": "change changed",
                    "hx-target": "#round-units",
                    "hx-select": "#round-units",
                    "hx-swap": "outerHTML",
                    "hx-vals": '{"refresh": "1"}',
                }
            )
        self.frameworks = {
            f.pk: f
            for f in Framework.objects.filter(status=Framework.Status.PUBLISHED).defer("document")
        }
        # By year and title, as people know them: the code is for files and the command line.
        self.fields["framework"].choices = [
            (pk, f"{f.year} — {f.title}") for pk, f in self.frameworks.items()
        ]
        self.fields["units"].choices = [(pk, str(self.unit_map[pk])) for pk in self.reach]
        self.appraiser_list = list(appraiser_accounts())
        self.fields["appraisers"].choices = [(u.pk, full_name(u)) for u in self.appraiser_list]
        self.framework_obj = self._chosen(self.frameworks, "framework")
        self.owner_obj = self._chosen({u.pk: u for u in self.owners}, "owner")
        default = self.default_title()
        if not self.is_bound:
            posted = dict(data.items()) if data is not None else {}
            title = posted.get("title", "")
            if not title.strip() or title == posted.get("title_default"):
                title = default  # the user has not written a title of their own
            self.initial = {
                **{k: v for k, v in posted.items() if k in self.fields},
                "framework": self.framework_obj.pk if self.framework_obj else None,
                "owner": self.owner_obj.pk if self.owner_obj else None,
                "title": title,
                "title_default": default,
                "appraisers": data.getlist("appraisers") if data is not None else [],
            }

    def _depth(self, unit: Unit) -> int:
        return len(self._path(unit.pk))

    def _path(self, pk: int) -> list[int]:
        path: list[int] = []
        while pk is not None and pk not in path and pk in self.unit_map:
            path.append(pk)
            pk = self.unit_map[pk].parent_id
        return path

    def _chosen(self, options: dict, name: str):
        """The option the user chose (posted or refreshed), else the first."""
        try:
            pk = int(self.entries.get(name)) if self.entries is not None else None
        except (TypeError, ValueError):
            pk = None
        if pk in options:
            return options[pk]
        return next(iter(options.values()), None)

    def default_title(self) -> str:
        if self.framework_obj is None or self.owner_obj is None:
            return ""
        return _("PAR Index self-assessment %(year)s — %(owner)s") % {
            "year": self.framework_obj.year,
            "owner": self.owner_obj.name,
        }

    def subtree(self) -> list[Unit]:
        """The chosen department and every unit under it."""
        if self.owner_obj is None:
            return []
        owner = self.owner_obj.pk
        return [u for pk, u in self.unit_map.items() if owner in self._path(pk)]

    def rows(self) -> list[UnitRow]:
        """The owner's subtree as an indented tree, each unit with what the user chose and,
        for a unit already assessed on the framework, `open_round`'s reason."""
        units = self.subtree()
        refusals = assessed_units(self.framework_obj, units) if self.framework_obj else {}
        entries = self.entries
        chosen = set(entries.getlist("units")) if entries is not None else set()
        everything = entries is not None and bool(entries.get("all_units"))
        rows = []
        for unit, depth in tree_rows(units, [self.owner_obj.pk]):
            refusal = refusals.get(unit.pk)
            checked = str(unit.pk) in chosen or (everything and refusal is None)
            own = set(entries.getlist(f"appraisers-{unit.pk}")) if entries is not None else set()
            names = [full_name(u) for u in self.appraiser_list if str(u.pk) in own]
            rows.append(UnitRow(unit, depth, checked, refusal, own, names))
        return rows

    @property
    def everything(self) -> bool:
        """ "All units of the department" is ticked."""
        return self.entries is not None and bool(self.entries.get("all_units"))

    @property
    def common(self) -> set[str]:
        """The appraisers chosen for every unit without its own (user ids)."""
        return set(self.entries.getlist("appraisers")) if self.entries is not None else set()

    def clean(self):
        data = super().clean()
        appraisers = {u.pk: u for u in self.appraiser_list}
        units = set(data.get("units") or [])
        if data.get("all_units") and self.framework_obj is not None:
            subtree = self.subtree()
            taken = assessed_units(self.framework_obj, subtree)
            units |= {u.pk for u in subtree if u.pk not in taken}
        own: dict[int, list] = {}
        for pk in units:
            picked = []
            for value in self.data.getlist(f"appraisers-{pk}"):
                try:
                    picked.append(appraisers[int(value)])
                except (KeyError, ValueError):
                    self.add_error(
                        None, _("Choose the appraisers among the accounts with the appraiser role.")
                    )
            own[pk] = picked
        data["unit_list"] = [self.unit_map[pk] for pk in sorted(units, key=self._order)]
        data["own_appraisers"] = own
        return data

    def _order(self, pk: int) -> tuple:
        return tuple(reversed([self.unit_map[p].code for p in self._path(pk)]))

    def round_arguments(self) -> dict:
        data = self.cleaned_data
        common = [u for u in self.appraiser_list if u.pk in set(data["appraisers"])]
        units = data["unit_list"]
        return {
            "framework": self.frameworks[data["framework"]],
            "owner": self.unit_map[data["owner"]],
            "title": data["title"],
            "dates": RoundDates(
                data["self_due"],
                data["appraisal_due"],
                data["explanation_due"],
                data["appraisal2_due"],
            ),
            "units": units,
            "appraisers": {
                unit.pk: data["own_appraisers"].get(unit.pk) or common for unit in units
            },
        }


ROLE_CHOICES = [
    (Membership.Role.STAFF, capfirst(_("unit staff"))),
    (Membership.Role.LEADER, capfirst(_("leader"))),
    (Membership.Role.OFFICER, capfirst(_("CCHC officer"))),
    (Membership.Role.APPRAISER, capfirst(_("appraiser"))),
]


def unit_choices(rows, blank=None) -> list[tuple]:
    """Units as an indented tree in a select (`rows`: (unit, depth) from `tree_rows`)."""
    choices = [("", blank)] if blank else []
    return choices + [(unit.pk, "\u00a0\u00a0" * depth + str(unit)) for unit, depth in rows]


class PasswordField(forms.CharField):
    def __init__(self, **kwargs):
        widget = forms.PasswordInput(attrs={"autocomplete": "new-password"})
        super().__init__(required=False, strip=False, widget=widget, **kwargs)


class AccountForm(forms.Form):
    """A new account: one "Họ và tên" field, the user name, an optional e-mail, a typed or
    generated password, and a first role. What is allowed is `create_account`'s check."""

    full_name = forms.CharField(label=_("Full name"), max_length=300)
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("Letters, digits and . @ + - _ without spaces, e.g. nguyen.hoa"),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = PasswordField(
        label=_("Initial password"),
        help_text=_("Leave empty to have one generated: it is shown to you once."),
    )
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, required=False)

    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {unit.pk: unit for unit, _depth in units}
        self.fields["unit"].choices = unit_choices(units, blank=_("— no role yet —"))

    def roles(self) -> list[tuple[Unit, str]]:
        unit = self.cleaned_data.get("unit")
        role = self.cleaned_data.get("role") or Membership.Role.STAFF
        return [(self.units[unit], role)] if unit else []


class RoleForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)

    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {unit.pk: unit for unit, _depth in units}
        self.fields["unit"].choices = unit_choices(units)


class PasswordForm(forms.Form):
    password = PasswordField(
        label=_("New password"),
        help_text=_("Leave empty to have one generated: it is shown to you once."),
    )


class DetailsForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=300)
    email = forms.EmailField(label=_("E-mail"), required=False)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, Word, Excel, OpenDocument, JPG, PNG)"))
    title = forms.CharField(label=_("Document title"), max_length=500)
    number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    issued_on = date_field(_("Document date"), required=False)
    issuer = forms.CharField(label=_("Issued by"), max_length=300, required=False)
    codes = forms.CharField(widget=forms.HiddenInput, required=False)

    def info(self) -> EvidenceInfo:
        data = self.cleaned_data
        return EvidenceInfo(data["title"], data["number"], data["issued_on"], data["issuer"])
