"""The demo speaks more than English: reference data in Thai, Vietnamese and Indonesian, and cases written in two."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation
from pypdf import PdfReader

from grievances import demo, letters
from grievances.models import Category, Grievance, Programme, Region
from tests.languages import thirteen_languages

pytestmark = pytest.mark.django_db


def test_the_demo_names_its_reference_data_in_thai_vietnamese_and_indonesian_and_lodges_thai_and_vietnamese_cases():
    with thirteen_languages():
        call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
        for model in (Category, Region, Programme):
            for item in model.objects.all():
                assert {"th", "vi", "id"} <= set(item.names), item.name
        thai = Grievance.objects.get(description=demo.THAI_DESCRIPTION)
        vietnamese = Grievance.objects.get(description=demo.VIETNAMESE_DESCRIPTION)
        assert (thai.language, vietnamese.language) == ("th", "vi")
        letter = letters.outcome_letter_for(thai)
        assert letter is not None and letter.language == "th"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(letter.pdf))).pages)
        with translation.override("th"):
            assert thai.category.localized_name in text
        # Seeding again changes nothing.
        assert Grievance.objects.filter(description=demo.THAI_DESCRIPTION).count() == 1
        call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
        assert Grievance.objects.filter(description=demo.THAI_DESCRIPTION).count() == 1
