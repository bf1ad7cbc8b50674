"""The dashboard's period and filters, read from the query string."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from grievances.models import Category, Grievance, Programme, Region
from grievances.monitoring.indicators import Filters, Period
from portal.lib.forms import SensibleDateField

SENSITIVE_CATEGORY = Q(sensitive=True) | Q(parent__sensitive=True)

# A period longer than this is refused: the trend chart would be unreadable
# and the queries would read a decade of cases for one page.
MAX_PERIOD_DAYS = 3 * 366


def default_period(today: date) -> Period:
    """The twelve months up to today (this month so far, and the eleven before)."""
    start = today.replace(day=1)
    for _month in range(11):
        start = (start - timedelta(days=1)).replace(day=1)
    return Period(start, today)


class MonitoringFilterForm(forms.Form):
    start = SensibleDateField(label=_("From"), required=False)
    end = SensibleDateField(label=_("To (included)"), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.none(), empty_label=_("All")
    )
    region = forms.ModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.all(), empty_label=_("All")
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All")), *Grievance.Channel.choices]
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=Programme.objects.all(), empty_label=_("All")
    )
    sex_gender = forms.ChoiceField(
        label=_("Sex or gender"),
        required=False,
        choices=[("", _("All")), *Grievance.SexGender.choices],
    )

    def __init__(self, *args, today: date, sensitive_categories: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.template_name = "grievances/includes/filter_field.html"
        self.today = today
        # Each theme, then its categories.
        categories = Category.objects.select_related("parent").order_by(
            Coalesce("parent__position", "position"),
            Coalesce("parent__name", "name"),
            F("parent").asc(nulls_first=True),
            "position",
            "name",
        )
        if not sensitive_categories:
            # Whoever may not see sensitive cases does not filter by them either.
            categories = categories.exclude(SENSITIVE_CATEGORY)
        self.fields["category"].queryset = categories
        period = default_period(today)
        # A date input may not carry a placeholder, so the default it falls back to is said in its help.
        self.fields["start"].help_text = _("Empty: %(date)s.") % {"date": date_format(period.start)}
        self.fields["end"].help_text = _("Empty: %(date)s (today).") % {"date": date_format(period.end)}

    def clean(self):
        data = super().clean()
        default = default_period(self.today)
        start, end = data.get("start") or default.start, data.get("end") or default.end
        if start > end:
            raise forms.ValidationError(_("The period must start before it ends."))
        if (end - start).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Please choose a period of three years or less."))
        data["period"] = Period(start, end)
        return data

    def period(self) -> Period:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period"]
        return default_period(self.today)

    def filters(self) -> Filters:
        if not (self.is_bound and self.is_valid()):
            return Filters()
        data = self.cleaned_data
        return Filters(
            category=data["category"].pk if data.get("category") else None,
            region=data["region"].pk if data.get("region") else None,
            channel=data.get("channel") or None,
            programme=data["programme"].pk if data.get("programme") else None,
            sex_gender=data.get("sex_gender") or None,
        )
