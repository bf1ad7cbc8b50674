"""The queue's word search finds text in every script the portal offers, and nothing unrelated.

Thai, Lao, Khmer, Burmese and Chinese have no spaces between words; the
search matches inside them (PostgreSQL: a trigram index over a folded copy of
the text). Vietnamese is found without its accents. On SQLite the same
matching runs without an index (the smoke run).
"""

import pytest
from django.db import connection

from grievances import search
from grievances.models import Grievance
from grievances.workspace import selectors
from tests.grievances.workspace.conftest import lodge
from tests.grievances.workspace.test_pages import count_queries, queue_url

# Realistic complaints, and a word of each that a case officer would type.
TEXTS = {
    "th": ("ผู้รับประโยชน์ไม่ได้รับเงินโอนเดือนนี้ เจ้าหน้าที่บอกให้รอ", "เงินโอน"),
    "lo": ("ຂ້ອຍບໍ່ໄດ້ຮັບເງິນຊ່ວຍເຫຼືອເດືອນນີ້", "ເງິນຊ່ວຍເຫຼືອ"),
    "km": ("ខ្ញុំមិនបានទទួលប្រាក់ឧបត្ថម្ភប្រចាំខែនេះទេ", "ប្រាក់ឧបត្ថម្ភ"),
    "my": ("ကျွန်ုပ်သည်ဤလအတွက်ထောက်ပံ့ငွေမရရှိပါ", "ထောက်ပံ့ငွေ"),
    "zh": ("我这个月没有收到养老金补助，办事处的电话一直打不通。", "补助"),  # noqa: RUF001 - two characters
    "bn": ("আমি এই মাসের বয়স্ক ভাতা পাইনি, অফিসে কেউ উত্তর দেয় না।", "ভাতা"),
    "vi": ("Tôi chưa nhận được tiền trợ cấp tháng này, nhân viên bảo chờ.", "tien tro cap"),  # no accents
}
UNRELATED = "Rude staff at the counter; the queue took all day."


@pytest.fixture
def cases(category):
    made = {language: lodge(category, description=text) for language, (text, _word) in TEXTS.items()}
    made["en"] = lodge(category, description=UNRELATED)
    return made


def found(word: str) -> set[str]:
    return set(selectors.text_search(Grievance.objects.all(), word).values_list("reference", flat=True))


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram index and its SQL fold are PostgreSQL's"
)


@postgresql_only
@pytest.mark.parametrize("language", list(TEXTS))
def test_a_word_finds_its_text_in_every_script_and_nothing_else(cases, language):
    _text, word = TEXTS[language]
    assert found(word) == {cases[language].reference}


@postgresql_only
def test_a_word_in_the_middle_of_a_spaceless_run_is_found(cases):
    assert found("ไม่ได้รับ") == {cases["th"].reference}  # in the middle of the Thai sentence
    assert found("养老金") == {cases["zh"].reference}
    assert found("电话") == {cases["zh"].reference}
    assert found("钱") == set()  # a Chinese character the text does not have


@postgresql_only
def test_a_thai_term_too_short_for_the_trigram_index_is_still_found(cases):
    assert found("รอ") == {cases["th"].reference}  # two code points: no trigram, the queue is read instead


@postgresql_only
def test_vietnamese_is_found_with_or_without_accents_and_in_any_case(cases):
    for query in ("trợ cấp", "tro cap", "TRO CAP", "Tiền"):
        assert found(query) == {cases["vi"].reference}, query


@postgresql_only
def test_every_word_is_required(cases):
    assert found("tien tro cap") == {cases["vi"].reference}
    assert found("tien counter") == set()


@postgresql_only
def test_english_words_match_from_the_start_of_a_word(category):
    wallet = lodge(category, description="The e-wallet transfer (payment) never came.")
    repay = lodge(category, description="They asked me to repay the loan.")
    assert found("wallet") == {wallet.reference}  # after a hyphen
    assert found("pay") == {wallet.reference}  # "payment", not "repay"
    assert found("PAYMENT") == {wallet.reference}
    assert found("allet") == set()
    assert found("repay") == {repay.reference}


@postgresql_only
def test_the_folded_copy_follows_the_description(category):
    grievance = lodge(category, description="Người thụ hưởng")
    assert found("nguoi") == {grievance.reference}
    Grievance.objects.filter(pk=grievance.pk).update(description="我没有收到补助金")
    assert found("nguoi") == set()
    assert found("补助") == {grievance.reference}


@postgresql_only
def test_like_wildcards_in_the_query_are_plain_characters(category):
    lodge(category, description="Payment of 100 pesos")
    percent = lodge(category, description="Only 50% was paid")
    assert found("50%") == {percent.reference}
    assert found("5%") == set()  # "%" is no wildcard: "5%" is not in "50%"
    assert found("1_0") == set()  # nor "_": not in "100"


@postgresql_only
def test_the_sql_fold_and_the_python_fold_agree(db):
    samples = [
        "Người thụ hưởng CHƯA nhận được tiền (Đồng).",
        "我没有收到补助金，电话打不通。",  # noqa: RUF001
        "ผู้รับประโยชน์ไม่ได้รับเงิน",
        "ខ្ញុំមិនបានទទួលប្រាក់",
        "آپ کی درخواست؟ ہم نے دیکھی۔",  # noqa: RUF001
        "আমি ভাতা পাইনি।",
        "e-wallet \u201cpayment\u201d\tlate\n",
    ]
    with connection.cursor() as cursor:
        for sample in samples:
            cursor.execute("SELECT suara_search_fold(%s)", [sample])
            assert cursor.fetchone()[0] == search.fold(sample), sample


@postgresql_only
@pytest.mark.parametrize("word", ["เงินโอน", "补助", "tro cap", "ভাতা"])
def test_the_search_can_use_the_trigram_index(cases, word):
    """The folded expression of the query is the indexed one (else every search reads the table)."""
    sql, params = selectors.text_search(Grievance.objects.order_by(), word).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # On a test-sized table the planner may rather walk another index and filter;
        # with plain scans off, only an expression that matches the trigram index can be used.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "grievance_search_text_trgm" in plan, plan


@postgresql_only
def test_the_queue_page_finds_thai_text_with_the_same_queries_as_without_a_search(staff_client, officer, agency, cases):
    client = staff_client(officer)
    plain, _response = count_queries(client, queue_url(agency))
    searched, response = count_queries(client, queue_url(agency, q=TEXTS["th"][1]))
    html = response.content.decode()
    assert cases["th"].reference in html
    assert cases["km"].reference not in html and cases["en"].reference not in html
    assert searched == plain


@pytest.mark.smoke
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded default's variant")
@pytest.mark.parametrize("language", list(TEXTS))
def test_on_sqlite_the_same_words_find_the_same_texts(cases, language):
    _text, word = TEXTS[language]
    assert found(word) == {cases[language].reference}


def test_the_fold_takes_accents_off_latin_letters_only():
    assert search.fold("Tiền ĐỒNG") == " tien dong "
    assert search.fold("ผู้รับ") == " ผู้รับ "  # Thai vowels and tone marks are part of the word
    assert search.fold("补助") == "  补  助  "  # each Chinese character on its own
    assert search.fold("e-wallet,late") == " e wallet late "


def test_a_query_is_split_into_at_most_eight_words_without_repeats():
    assert search.words_of("pay, pay  late") == ["pay", "late"]
    assert len(search.words_of(" ".join(f"w{i}" for i in range(20)))) == search.MAX_WORDS
