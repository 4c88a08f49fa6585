from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from parindex.assessments.access import officer_units
from parindex.assessments.actions import RoundDates
from parindex.assessments.criteria import EvidenceInfo
from parindex.frameworks.models import Framework
from parindex.units.models import Unit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(forms.Form):
    framework = forms.ModelChoiceField(
        label=_("Framework"), queryset=Framework.objects.filter(status=Framework.Status.PUBLISHED)
    )
    owner = forms.ModelChoiceField(label=_("Run by"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=300)
    self_due = forms.DateField(label=_("Self-assessment due"), widget=DATE_INPUT)
    appraisal_due = forms.DateField(label=_("Appraisal due"), widget=DATE_INPUT)
    explanation_due = forms.DateField(label=_("Explanations due"), widget=DATE_INPUT)
    appraisal2_due = forms.DateField(label=_("Second appraisal due"), widget=DATE_INPUT)
    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    appraisers = forms.ModelMultipleChoiceField(
        label=_("Appraisers (of every unit)"),
        required=False,
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = officer_units(user)
        self.fields["units"].queryset = Unit.objects.order_by("code")

    def round_arguments(self) -> dict:
        data = self.cleaned_data
        units = list(data["units"])
        return {
            "framework": data["framework"],
            "owner": data["owner"],
            "title": data["title"],
            "dates": RoundDates(
                data["self_due"],
                data["appraisal_due"],
                data["explanation_due"],
                data["appraisal2_due"],
            ),
            "units": units,
            "appraisers": {unit.pk: list(data["appraisers"]) for unit in units},
        }


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, Word, Excel, OpenDocument, JPG, PNG)"))
    title = forms.CharField(label=_("Document title"), max_length=500)
    number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    issued_on = forms.DateField(
        label=_("Document date"),
        required=False,
        widget=DATE_INPUT,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    issuer = forms.CharField(label=_("Issued by"), max_length=300, required=False)
    codes = forms.CharField(widget=forms.HiddenInput, required=False)

    def info(self) -> EvidenceInfo:
        data = self.cleaned_data
        return EvidenceInfo(data["title"], data["number"], data["issued_on"], data["issuer"])
