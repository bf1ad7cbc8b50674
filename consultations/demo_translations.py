"""The open demo consultation in Thai, Indonesian and Vietnamese (``manage.py seed_demo``).

Written for the demo by hand, with the glossary's terms (locale/glossary.toml);
to be checked by native speakers like the catalogues (docs/translations.md).
Each translation is a Wagtail translation of the English page (same
``translation_key``, same question ids), so its responses are the English
page's (``ConsultationPage.source``). The home and index pages above it become
aliases in each language where they have no translation yet: they show the
English words with a note, as any untranslated page does.
"""

from __future__ import annotations

from wagtail.models import Locale

from consultations.models import ConsultationPage

PARAGRAPH = "<p>{}</p>"

# Per language: title, summary, body paragraphs, and per question id its words (same order of options).
OPEN_CONSULTATION = {
    "th": {
        "title": "การจ่ายค่าจ้างผ่านระบบดิจิทัลและประกันสังคมสำหรับผู้ทำงานผ่านแพลตฟอร์ม",
        "summary": "กระทรวงเสนอให้แพลตฟอร์มจ่ายค่าตอบแทนของไรเดอร์และผู้ขับรถเข้าบัญชีในชื่อของผู้ทำงานเอง "
        "และขึ้นทะเบียนผู้ทำงานกับกองทุนประกันสังคม บอกเราว่าแบบใดเหมาะกับคุณ",
        "body": [
            "มีผู้ส่งอาหาร ส่งพัสดุ และขับรถผ่านแพลตฟอร์มราว 400,000 คน ส่วนใหญ่ได้รับเงินผ่านกระเป๋าเงินของแพลตฟอร์ม และยังไม่มีประกันสังคม",
            "ร่างกฎกระทรวงกำหนดให้จ่ายเงินเข้าบัญชีที่ผู้ทำงานเลือกเอง ออกสลิปทุกครั้งที่จ่าย "
            "และขึ้นทะเบียนตามมาตรา 40 โดยแพลตฟอร์มร่วมจ่ายเงินสมทบ",
        ],
        "questions": {
            "0001": ("ค่าจ้างของผู้ทำงานผ่านแพลตฟอร์มควรจ่ายเข้าบัญชีในชื่อของผู้ทำงานเอง", "", "ไม่เห็นด้วยอย่างยิ่ง", "เห็นด้วยอย่างยิ่ง"),
            "0002": (
                "ช่องทางการจ่ายเงินใดควรเป็นค่าเริ่มต้น",
                "เลือกช่องทางที่เหมาะกับผู้ทำงานส่วนใหญ่ที่คุณรู้จัก",
                ["บัญชีธนาคาร", "กระเป๋าเงินอิเล็กทรอนิกส์", "รับเงินสดที่ตัวแทน", "ผู้ทำงานเลือกเองทุกครั้ง"],
            ),
            "0003": (
                "คุณกังวลเรื่องใดเกี่ยวกับการจ่ายค่าจ้างผ่านระบบดิจิทัล",
                "",
                ["ค่าธรรมเนียม", "ใช้โทรศัพท์ไม่ได้", "ความเป็นส่วนตัวของข้อมูลการจ่ายเงิน", "ความล่าช้า", "ไม่กังวล"],
            ),
            "0004": ("แพลตฟอร์มควรจ่ายเงินสมทบประกันสังคมให้ไรเดอร์หรือไม่", ""),
            "0005": ("มีอะไรอีกไหมที่กระทรวงควรรู้", "ตัวอย่างจากงานของคุณเองมีประโยชน์ที่สุด"),
        },
    },
    "id": {
        "title": "Pembayaran upah digital dan jaminan sosial bagi pekerja platform",
        "summary": "Kementerian mengusulkan agar platform membayar kurir dan pengemudi ke rekening atas nama pekerja "
        "sendiri, dan mendaftarkan mereka ke Dana Jaminan Sosial. Sampaikan kepada kami apa yang cocok bagi Anda.",
        "body": [
            "Sekitar 400.000 orang mengantar makanan dan paket atau mengemudi melalui platform. Sebagian besar dibayar "
            "lewat dompet milik platform dan belum memiliki jaminan sosial.",
            "Rancangan peraturan ini mewajibkan pembayaran ke rekening yang dipilih pekerja, slip upah untuk setiap "
            "pembayaran, dan pendaftaran menurut Pasal 40 dengan iuran yang ditanggung bersama oleh platform.",
        ],
        "questions": {
            "0001": (
                "Upah pekerja platform sebaiknya dibayarkan ke rekening atas nama mereka sendiri.",
                "",
                "Sangat tidak setuju",
                "Sangat setuju",
            ),
            "0002": (
                "Saluran pembayaran mana yang sebaiknya menjadi pilihan utama?",
                "Pilih yang paling cocok bagi sebagian besar pekerja yang Anda kenal.",
                ["Rekening bank", "Dompet elektronik", "Tunai di agen", "Pekerja memilih setiap kali"],
            ),
            "0003": (
                "Apa yang Anda khawatirkan tentang pembayaran upah digital?",
                "",
                ["Biaya", "Kehilangan akses ke ponsel", "Kerahasiaan data pembayaran", "Keterlambatan", "Tidak ada"],
            ),
            "0004": ("Apakah platform harus membayar iuran jaminan sosial bagi para kurir?", ""),
            "0005": (
                "Ada hal lain yang perlu diketahui Kementerian?",
                "Contoh dari pekerjaan Anda sendiri paling membantu.",
            ),
        },
    },
    "vi": {
        "title": "Trả lương qua kênh số và an sinh xã hội cho người lao động nền tảng",
        "summary": "Bộ đề xuất các nền tảng trả tiền cho người giao hàng và tài xế vào tài khoản đứng tên chính người "
        "lao động, và đăng ký họ vào Quỹ an sinh xã hội. Hãy cho chúng tôi biết cách nào phù hợp với bạn.",
        "body": [
            "Khoảng 400.000 người giao đồ ăn, giao hàng hoặc chạy xe qua các nền tảng. Phần lớn được trả tiền qua ví "
            "của chính nền tảng và chưa có an sinh xã hội.",
            "Dự thảo quy định yêu cầu trả tiền vào tài khoản do người lao động chọn, có phiếu lương cho mỗi lần trả, "
            "và đăng ký theo Điều 40 với khoản đóng góp do nền tảng cùng chi trả.",
        ],
        "questions": {
            "0001": (
                "Tiền công của người lao động nền tảng nên được trả vào tài khoản đứng tên chính họ.",
                "",
                "Hoàn toàn không đồng ý",
                "Hoàn toàn đồng ý",
            ),
            "0002": (
                "Kênh thanh toán nào nên là mặc định?",
                "Hãy chọn kênh phù hợp nhất với phần đông người lao động mà bạn biết.",
                ["Tài khoản ngân hàng", "Ví điện tử", "Nhận tiền mặt tại đại lý", "Người lao động tự chọn mỗi lần"],
            ),
            "0003": (
                "Bạn lo ngại điều gì về việc trả lương qua kênh số?",
                "",
                [
                    "Phí",
                    "Mất quyền dùng điện thoại",
                    "Quyền riêng tư của dữ liệu thanh toán",
                    "Chậm trễ",
                    "Không lo ngại gì",
                ],
            ),
            "0004": ("Các nền tảng có nên đóng an sinh xã hội cho người giao hàng không?", ""),
            "0005": ("Bộ còn cần biết điều gì nữa không?", "Ví dụ từ chính công việc của bạn sẽ giúp ích nhiều nhất."),
        },
    },
}


def _translated_questions(stream, words: dict) -> list[dict]:
    """The source's questions (same ids, kinds and limits) in another language's words."""
    translated = []
    for block in stream.raw_data:
        value = dict(block["value"])
        text = words.get(block["id"][-4:])
        if text:
            value["question"], value["help_text"] = text[0], text[1]
            if block["type"] == "scale":
                value["low_label"], value["high_label"] = text[2], text[3]
            elif "options" in value:
                value["options"] = list(text[2])
        translated.append({"type": block["type"], "id": block["id"], "value": value})
    return translated


def seed(page: ConsultationPage) -> int:
    """Translate ``page`` into each language above that has no translation yet; return how many were made."""
    created = 0
    for language, words in OPEN_CONSULTATION.items():
        locale = Locale.objects.filter(language_code=language).first()
        if locale is None or page.get_translation_or_none(locale) is not None:
            continue
        # Untranslated parents (home, index) become aliases in the language: English words, with the note.
        translation = page.copy_for_translation(locale, copy_parents=True)
        translation.title = words["title"]
        translation.draft_title = words["title"]
        translation.summary = words["summary"]
        translation.body = [{"type": "paragraph", "value": PARAGRAPH.format(p)} for p in words["body"]]
        translation.questions = _translated_questions(page.questions, words["questions"])
        translation.save()
        translation.save_revision().publish()
        created += 1
    return created
