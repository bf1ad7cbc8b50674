"""Blocks shared by every content page."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=80, label=_("Title"))
    text = blocks.TextBlock(required=False, max_length=300, label=_("Text"))
    link_page = blocks.PageChooserBlock(required=False, label=_("Page"))
    link_url = blocks.CharBlock(
        required=False, max_length=200, label=_("Or an address on this site"), help_text=_("e.g. /grievances/new/")
    )
    link_text = blocks.CharBlock(max_length=60, label=_("Link text"))

    class Meta:
        icon = "link"
        template = "home/blocks/call_to_action.html"

    def clean(self, value):
        result = super().clean(value)
        url = result.get("link_url", "")
        if url and not url.startswith("/"):
            raise StructBlockValidationError(
                {"link_url": ValidationError(_("Use an address on this site, starting with /."))}
            )
        return result


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(required=False, max_length=120, label=_("Who said it"))

    class Meta:
        icon = "openquote"
        template = "home/blocks/quote.html"


class BaseStreamBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        form_classname="title", icon="title", template="home/blocks/heading.html", label=_("Heading")
    )
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul", "h3"], label=_("Paragraph"))
    image = ImageBlock(label=_("Image"))
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    document = DocumentChooserBlock(template="home/blocks/document.html", label=_("Document"))
