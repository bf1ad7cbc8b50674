"""Grievance reference data: categories and their themes, SLA policies, holidays, regions, programmes.

Kept apart from the cases (``grievances.models`` imports these names). Everything
here that people read has a name per language (``portal.lib.localized``), and
``str()`` gives the name in the active language, so choices, filters, pages and
letters show it without asking.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from portal.lib.localized import LocalizedName, NamesField, localized
from portal.models import Organization


class SLAPolicy(LocalizedName):
    """How fast a category's cases must move, in working days."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    acknowledge_days = models.PositiveSmallIntegerField(_("acknowledge within (working days)"), default=2)
    resolve_days = models.PositiveSmallIntegerField(_("resolve within (working days)"), default=21)
    appeal_window_days = models.PositiveSmallIntegerField(_("complainant may appeal within (days)"), default=30)
    appeal_decision_days = models.PositiveSmallIntegerField(_("decide an appeal within (days)"), default=30)
    at_risk_days = models.PositiveSmallIntegerField(_("at risk when this many working days remain"), default=3)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.localized_name


class Holiday(models.Model):
    """A public holiday: no deadline falls due on it and it is not counted."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = _("public holiday")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Region(LocalizedName):
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")

    def __str__(self) -> str:
        return self.localized_name


class Programme(LocalizedName):
    """A social protection programme people may complain about (e.g. a child grant)."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    agency = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("run by")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")

    def __str__(self) -> str:
        return self.localized_name


class Category(LocalizedName):
    """Two levels: a theme ("Payments") and what went wrong ("Digital payment not received")."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("theme")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("plain-language description"), max_length=300, blank=True)
    descriptions = NamesField(
        _("description in other languages"),
        max_length=300,
        help_text=_("Leave a language empty to show the description above in that language."),
    )
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Gender-based violence, harassment, exploitation: seen only by designated focal points."),
    )
    agency = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="categories",
        verbose_name=_("routed to"),
        limit_choices_to={"kind": Organization.Kind.GOVERNMENT},
        help_text=_("Leave empty to use the theme's agency."),
    )
    sla_policy = models.ForeignKey(
        SLAPolicy, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("SLA policy")
    )
    active = models.BooleanField(_("offered on the form"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name")]

    def __str__(self) -> str:
        if not self.parent_id:
            return self.localized_name
        # The arrow is the translator's: a right-to-left language points it the other way.
        arrow = pgettext("a category within its theme", "%(theme)s → %(category)s")
        return arrow % {"theme": self.parent.localized_name, "category": self.localized_name}

    def clean(self) -> None:
        if self.parent_id and self.parent.parent_id:
            raise ValidationError(_("Categories have two levels: a theme and what went wrong."))

    @property
    def localized_description(self) -> str:
        return localized(self.descriptions, self.description)

    @property
    def is_sensitive(self) -> bool:
        return self.sensitive or bool(self.parent_id and self.parent.sensitive)

    def routed_agency(self) -> Organization | None:
        return self.agency or (self.parent.agency if self.parent_id else None)

    def effective_sla_policy(self) -> SLAPolicy:
        policy = self.sla_policy or (self.parent.sla_policy if self.parent_id else None)
        return policy or SLAPolicy.objects.get_or_create(name="Default")[0]
