"""Wagtail admin: topics as snippets, and guards that keep each organization inside its own pages.

Wagtail's group page permissions (set up by
``services.organization_section_ensure``) grant editors their section; these
hooks refuse everything outside it on every request, from the live
membership, so a broad "Editors" group or a stale group membership can
never let one organization edit another's positions or another owner's
consultation.

It also lends the portal the app's /my/ block, demo data and background
command (``portal.registry``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.auth import permission_denied
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet

from consultations import demo, rules, services, views
from consultations.models import ConsultationPage, OrganizationIndexPage, OrganizationPage, Topic
from consultations.my_data import responses_section
from consultations.retention import responses_anonymise
from portal import registry

register_snippet(Topic)


def _section_organization(page):
    section = OrganizationPage.objects.ancestor_of(page, inclusive=True).select_related("organization").first()
    return section.organization if section else None


def _may_change(user, page) -> bool:
    specific = page.specific_deferred if hasattr(page, "specific_deferred") else page.specific
    if isinstance(specific, ConsultationPage):
        return rules.can_manage_consultation(user, specific)
    if isinstance(specific, OrganizationIndexPage):
        return user.is_superuser
    organization = _section_organization(page)
    if organization is not None:
        return rules.can_edit_section(user, organization)
    return True


@hooks.register("before_edit_page")
def refuse_editing_other_organizations_pages(request, page):
    if not _may_change(request.user, page):
        return permission_denied(request)
    return None


@hooks.register("before_delete_page")
@hooks.register("before_move_page")
@hooks.register("before_copy_page")
def refuse_touching_other_organizations_pages(request, page, *args):
    if not _may_change(request.user, page):
        return permission_denied(request)
    return None


@hooks.register("before_create_page")
def refuse_creating_in_other_organizations_sections(request, parent_page, page_class):
    if issubclass(page_class, OrganizationPage):
        # Sections are made by organization_section_ensure, with their groups and workflow.
        return None if request.user.is_superuser else permission_denied(request)
    if issubclass(page_class, ConsultationPage):
        return None
    organization = _section_organization(parent_page)
    if organization is not None and not rules.can_edit_section(request.user, organization):
        return permission_denied(request)
    return None


@hooks.register("register_page_header_buttons")
def manage_desk_button(page, user, view_name, next_url=None):
    # From the admin straight to the owner's desk: counts, moderation, exports, close now.
    specific = page.specific_deferred
    if isinstance(specific, ConsultationPage) and page.live and rules.can_manage_consultation(user, specific):
        yield Button(_("Manage desk"), specific.url + "manage/", icon_name="view", priority=5)


@hooks.register("after_publish_page")
def announce_what_publishing_made_due(request, page):
    # Publishing an outcome (or an already open consultation) makes a notice
    # due now; the periodic sweep would find it too, only later.
    specific = page.specific
    if isinstance(specific, ConsultationPage):
        services.consultation_notices_schedule(consultation=specific)
        # A published or edited outcome: the report is rendered again in the background.
        services.outcome_report_request(consultation=specific)


# --- what consultations lend the portal (portal.registry) ----------------------------


@hooks.register(registry.MY_PAGE_SECTION)
def my_consultations(request):
    return views.my_section(request)


@hooks.register(registry.MY_DATA_SECTION)
def my_responses(user):
    return responses_section(user)


@hooks.register(registry.RETENTION_JOBS)
def anonymise_old_responses(**kwargs):
    return responses_anonymise(**kwargs)


@hooks.register(registry.DEMO_SEEDER)
def seed_consultations(**kwargs) -> int:
    return demo.seed(**kwargs)


@hooks.register(registry.MEMBERSHIPS_CHANGED)
def follow_memberships(*, organization) -> None:
    services.organization_memberships_follow(organization=organization)


@hooks.register(registry.BACKGROUND_COMMANDS)
def notices():
    return [["consultation_notices", "--every", "300"]]
