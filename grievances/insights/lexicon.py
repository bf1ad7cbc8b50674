"""A glossary of social-protection concepts, with the words people use for them in the portal's languages.

Character n-grams tell two Thai texts about the same failure apart from a
third, but say nothing across scripts: "OTP ไม่เข้า" and "không nhận được
mã OTP" share three letters. The glossary gives every text a second, small
vector: which of these concepts it speaks of, whatever its language. It is
written by hand (no model, nothing downloaded, every entry readable and
correctable by a person who speaks the language), like the glossary of key
terms the translators keep. A form is matched at the start of a word in
scripts written with spaces, and anywhere in the scripts written without them
(Thai, Lao, Khmer, Burmese, Chinese).

The words live in ``glossary.tsv`` beside this file (one concept a line), where
a speaker of a language can add to them without reading Python. Each concept
has an English label here; the wing shows it through translation, so a theme's
label reads in the reader's language.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

GLOSSARY = Path(__file__).with_name("glossary.tsv")

LABELS = {
    "otp": _("verification code"),
    "sms": _("text message"),
    "not_received": _("not received"),
    "ewallet": _("e-wallet"),
    "provider_change": _("change of payment provider"),
    "cash_transfer": _("cash transfer"),
    "payment": _("payment"),
    "reduced": _("amount reduced"),
    "late": _("payment late"),
    "pension": _("old-age pension"),
    "life_certificate": _("proof of life"),
    "stopped": _("stopped"),
    "removed_list": _("removed from the list"),
    "beneficiary_list": _("beneficiary list"),
    "no_notice": _("without notice"),
    "application": _("application"),
    "no_response": _("no response"),
    "disability": _("disability"),
    "assessment": _("assessment"),
    "rejected": _("rejected"),
    "health_insurance": _("health insurance"),
    "hospital": _("hospital or clinic"),
    "not_accepted": _("not accepted"),
    "charged_fee": _("made to pay"),
    "name_mismatch": _("name or ID mismatch"),
    "identity_document": _("identity document"),
    "bribe": _("bribe or illegal fee"),
    "official": _("official or agent"),
    "bank_card": _("bank card or account"),
    "blocked": _("blocked"),
    "helpline": _("helpline"),
    "unreachable": _("cannot get through"),
    "queue_distance": _("long queue or far payout point"),
    "payout_point": _("payout point"),
    "app_login": _("app login"),
    "locked_out": _("locked out"),
    "app_crash": _("app crashes after update"),
    "claim": _("claim"),
    "school": _("school stipend"),
    "children": _("children"),
    "rude_staff": _("treated rudely"),
}


def _read(path: Path) -> dict[str, tuple[object, tuple[str, ...]]]:
    concepts = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, forms = line.split("\t", 1)
        concepts[key] = (LABELS[key], tuple(form.strip().casefold() for form in forms.split(" | ") if form.strip()))
    return concepts


# concept key -> (English label, forms in any language, lower case)
CONCEPTS: dict[str, tuple[object, tuple[str, ...]]] = _read(GLOSSARY)


def concept_keys() -> list[str]:
    """The concepts in a fixed order: the columns of the concept part of a case vector."""
    return list(CONCEPTS)
