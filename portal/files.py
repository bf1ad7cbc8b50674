"""Organizations' own images and documents: who may fetch a document before a live page shows it."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from wagtail.documents import get_document_model
from wagtail.models import GroupCollectionPermission, Page, ReferenceIndex
from wagtail.permissions import policy_registry

FILES_GROUP_PREFIX = "files:"


def is_organization_collection(collection) -> bool:
    return GroupCollectionPermission.objects.filter(
        collection=collection, group__name__startswith=FILES_GROUP_PREFIX
    ).exists()


def used_on_a_live_page(document) -> bool:
    references = ReferenceIndex.get_references_to(document).filter(
        base_content_type=ContentType.objects.get_for_model(Page)
    )
    page_ids = [int(pk) for pk in references.values_list("object_id", flat=True) if str(pk).isdigit()]
    return bool(page_ids) and Page.objects.live().filter(pk__in=page_ids).exists()


def document_may_be_served(document, user) -> bool:
    """An organization's document is public once a published page uses it; before, only its own people see it.

    The draft policy of a consultation not yet published stays with the
    ministry until the consultation is. Documents outside the
    organizations' collections keep Wagtail's own rules.
    """
    if not is_organization_collection(document.collection):
        return True
    if used_on_a_live_page(document):
        return True
    return bool(
        user is not None
        and user.is_authenticated
        and policy_registry.get_by_type(get_document_model()).user_has_permission_for_instance(user, "choose", document)
    )
