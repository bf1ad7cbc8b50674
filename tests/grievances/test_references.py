"""References: unguessable, typo-resistant, forgiving of how people type them."""

import pytest

from grievances.pins import check_pin, generate_pin, hash_pin
from grievances.references import ALPHABET, check_character, generate_reference, normalize_reference

pytestmark = pytest.mark.smoke


def test_references_have_the_printed_shape_and_no_look_alike_characters():
    for _ in range(200):
        reference = generate_reference()
        assert len(reference) == 12 and reference.startswith("SU-") and reference[7] == "-"
        assert set(reference[3:].replace("-", "")) <= set(ALPHABET)
        assert not set("01ILOU") & set(reference[3:])
    assert len({generate_reference() for _ in range(2000)}) == 2000


def test_people_may_type_a_reference_in_lower_case_with_spaces_or_without_dashes():
    reference = generate_reference()
    compact = reference.replace("-", "")
    for typed in (
        reference,
        reference.lower(),
        compact,
        f"  {compact[:6]} {compact[6:]} ",
        reference.replace("-", " "),
    ):
        assert normalize_reference(typed) == reference


def test_any_single_mistyped_character_is_caught_by_the_check_character():
    reference = generate_reference()
    body = reference.replace("-", "")[2:]
    for position in range(len(body)):
        for replacement in ALPHABET:
            if replacement != body[position]:
                typo = body[:position] + replacement + body[position + 1 :]
                assert normalize_reference("SU" + typo) is None


def test_swapped_neighbours_are_caught():
    body = "7K3Q9PX"
    full = body + check_character(body)
    for i in range(len(full) - 1):
        if full[i] != full[i + 1]:
            swapped = full[:i] + full[i + 1] + full[i] + full[i + 2 :]
            assert normalize_reference("SU" + swapped) is None


@pytest.mark.parametrize("typed", ["", "SU-", "XX-7K3Q-9PXM", "SU-7K3Q-9PXM-EXTRA", "<script>", "SU-0000-0000"])
def test_malformed_references_are_rejected(typed):
    assert normalize_reference(typed) is None


def test_pins_are_six_digits_and_stored_only_as_a_salted_keyed_hash():
    pin = generate_pin()
    assert len(pin) == 6 and pin.isdigit()
    stored = hash_pin(pin)
    assert pin not in stored and stored.startswith("hmac-sha256$")
    assert hash_pin(pin) != stored  # a fresh salt each time
    assert check_pin(pin, stored) and check_pin(f" {pin} ", stored)
    assert not check_pin("000000" if pin != "000000" else "111111", stored)
    assert not check_pin("", stored) and not check_pin(pin, "garbage")


def test_a_pin_hash_is_useless_under_another_secret_key(settings):
    stored = hash_pin("123456")
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert not check_pin("123456", stored)
