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

Each concept has an English label; the wing shows it through translation, so a
theme's label reads in the reader's language.
"""

from __future__ import annotations

# concept key -> (English label, forms in any language, lower case)
CONCEPTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "otp": (
        "verification code",
        (
            "otp", "one-time", "one time pin", "verification code", "security code", "code",
            "kode otp", "kode verifikasi", "kod pengesahan", "kod tac", "tac",
            "รหัส", "โอทีพี",
            "mã otp", "mã xác nhận", "mã xác thực", "mã",
            "verification", "code na",
            "验证码", "动态码", "校验码",
            "ওটিপি", "কোড", "कोड", "کوڈ", "លេខកូដ", "ລະຫັດ", "ကုဒ်",
        ),
    ),
    "sms": (
        "text message",
        (
            "sms", "text message", "texts", "pesan", "mesej", "ข้อความ", "เอสเอ็มเอส", "tin nhắn",
            "text", "mensahe", "短信", "信息", "এসএমএস", "मेसेज", "ایس ایم ایس", "សារ", "ຂໍ້ຄວາມ", "မက်ဆေ့",
        ),
    ),
    "not_received": (
        "not received",
        (
            "never arrive", "not arrive", "doesn't arrive", "does not arrive", "didn't arrive", "did not arrive",
            "not received", "never received", "haven't received", "have not received", "did not receive",
            "didn't receive", "never came", "no money came", "nothing came", "still not", "not come",
            "tidak masuk", "tidak sampai", "belum masuk", "belum menerima", "belum terima", "tidak menerima",
            "tidak terima", "tak sampai", "tak masuk", "belum sampai", "tidak pernah sampai", "belum diterima",
            "ไม่ได้รับ", "ไม่เข้า", "ไม่มา", "ยังไม่ได้", "ยังไม่เข้า",
            "không nhận được", "chưa nhận được", "không về", "chưa về", "không đến", "chưa nhận",
            "hindi dumating", "hindi natanggap", "hindi ko natanggap", "walang dumating", "wala pa", "di dumating",
            "收不到", "没收到", "未收到", "没有收到", "没到", "未到账", "没到账", "没有到账",
            "পাইনি", "পাচ্ছি না", "पाएको छैन", "आएन", "نہیں ملا", "نہیں ملی", "មិនបានទទួល", "ບໍ່ໄດ້ຮັບ", "မရ",
        ),
    ),
    "ewallet": (
        "e-wallet",
        (
            "e-wallet", "ewallet", "wallet", "gcash", "paymaya", "mobile money", "dompet digital",
            "dompet elektronik", "e-dompet", "dana", "ovo", "gopay", "touch n go", "tng", "promptpay",
            "พร้อมเพย์", "กระเป๋าเงิน", "วอลเล็ท", "ví điện tử", "ví", "momo", "viettel money",
            "电子钱包", "钱包", "手机钱包", "বিকাশ", "মোবাইল ওয়ালেট", "ई-वालेट", "والٹ", "ជីវិតកាបូប", "ກະເປົາ", "ပိုက်ဆံအိတ်",
        ),
    ),
    "provider_change": (
        "change of payment provider",
        (
            "provider changed", "new provider", "changed provider", "switch", "switched", "migration", "migrated",
            "ganti penyedia", "penyedia baru", "pindah", "dipindah", "penyedia bertukar", "tukar penyedia",
            "เปลี่ยนผู้ให้บริการ", "ผู้ให้บริการใหม่", "ย้าย", "đổi nhà cung cấp", "nhà cung cấp mới", "chuyển sang",
            "lumipat", "bagong provider", "pinalitan", "更换", "换了", "新的服务商", "迁移",
        ),
    ),
    "cash_transfer": (
        "cash transfer",
        (
            "cash transfer", "cash assistance", "allowance", "benefit", "ayuda", "subsidy", "grant",
            "bansos", "bantuan", "blt", "pkh", "tunai", "bantuan tunai", 
            "เงินช่วยเหลือ", "เบี้ย", "เงินอุดหนุน", "สวัสดิการ", "trợ cấp", "hỗ trợ", "tiền trợ cấp",
            "4ps", "tulong", "pantawid", "补助", "补贴", "救助金", "津贴", "低保", "ভাতা", "भत्ता", "وظیفہ", "امداد",
            "ប្រាក់ឧបត្ថម្ភ", "ເງິນຊ່ວຍເຫຼືອ", "ထောက်ပံ့ငွေ",
        ),
    ),
    "payment": (
        "payment",
        (
            "payment", "paid", "pay out", "payout", "money", "transfer", "pembayaran", "dibayar", "pencairan",
            "uang", "duit", "wang", "bayaran", "เงิน", "จ่าย", "โอน", "tiền", "thanh toán", "chuyển khoản",
            "chi trả", "bayad", "pera", "padala", "付款", "钱", "发放", "转账", "款", "টাকা", "पैसा", "पैसे", "رقم",
            "پیسے", "ប្រាក់", "ເງິນ", "ငွေ",
        ),
    ),
    "reduced": (
        "amount reduced",
        (
            "less than", "reduced", "cut", "smaller", "only got", "only received", "deducted", "missing part",
            "berkurang", "dipotong", "kurang", "lebih sedikit", "hanya menerima", "hanya dapat", "dikurangkan",
            "ลดลง", "ถูกหัก", "น้อยกว่า", "ได้แค่", "หัก", "bị giảm", "ít hơn", "bị trừ", "chỉ nhận được", "giảm",
            "kulang", "binawasan", "bawas", "mas maliit", "减少", "少了", "被扣", "只收到", "扣了", "কম", "কেটে", "कम", "کم",
        ),
    ),
    "late": (
        "payment late",
        (
            "late", "delayed", "delay", "overdue", "weeks", "months", "still waiting", "terlambat", "telat",
            "tertunda", "lambat", "lewat", "ล่าช้า", "ช้า", "เลยกำหนด", "chậm", "trễ", "muộn", "quá hạn",
            "naantala", "huli", "matagal", "延迟", "推迟", "晚了", "迟迟", "拖延", "দেরি", "ढिलो", "تاخیر",
        ),
    ),
    "pension": (
        "old-age pension",
        (
            "pension", "old age", "elderly", "senior", "pensiun", "lansia", "pencen", "warga emas",
            "เบี้ยผู้สูงอายุ", "ผู้สูงอายุ", "บำนาญ", "lương hưu", "người cao tuổi", "dưỡng lão", "pensyon",
            "senior citizen", "matanda", "养老金", "退休金", "老人", "高龄", "বয়স্ক ভাতা", "পেনশন", "पेन्सन", "پنشن",
        ),
    ),
    "life_certificate": (
        "proof of life",
        (
            "life certificate", "proof of life", "alive", "verification of existence", "surat keterangan hidup",
            "bukti hidup", "sijil hidup", "masih hidup", "รับรองการมีชีวิต", "ยืนยันตัวตน", "แสดงตน", "còn sống",
            "xác nhận còn sống", "giấy chứng nhận", "buhay pa", "proof na buhay", "生存证明", "生存认证", "认证",
            "জীবিত", "जीवित", "زندہ",
        ),
    ),
    "stopped": (
        "stopped",
        (
            "stopped", "suspended", "cut off", "terminated", "berhenti", "dihentikan", "diberhentikan", "ditangguhkan",
            "terhenti", "dihentikan", "ระงับ", "หยุด", "ถูกตัด", "bị dừng", "bị cắt", "ngừng", "tạm dừng",
            "itinigil", "tumigil", "sinuspinde", "停发", "停止", "暂停", "断了", "বন্ধ", "रोकियो", "بند",
        ),
    ),
    "removed_list": (
        "removed from the list",
        (
            "removed", "dropped", "delisted", "taken off", "not on the list", "no longer on", "name is gone",
            "dicoret", "dikeluarkan", "tidak terdaftar lagi", "dihapus", "digugurkan", "nama hilang",
            "ถูกตัดสิทธิ์", "ตัดชื่อ", "ไม่มีรายชื่อ", "ไม่มีชื่อ", "bị loại", "bị xóa", "không còn tên", "gạch tên",
            "tinanggal", "natanggal", "wala na sa listahan", "被删除", "被取消", "除名", "名单上没有", "取消资格",
            "বাদ", "हटाइयो", "نکال",
        ),
    ),
    "beneficiary_list": (
        "beneficiary list",
        (
            "list", "beneficiary", "beneficiaries", "registry", "database", "daftar", "penerima", "dtks", "senarai", "penerima manfaat",
            "รายชื่อ", "ผู้มีสิทธิ์", "ทะเบียน", "danh sách", "hộ nghèo", "người thụ hưởng", "listahan",
            "benepisyaryo", "名单", "受益人", "登记", "তালিকা", "सूची", "فہرست",
        ),
    ),
    "no_notice": (
        "without notice",
        (
            "without notice", "no notice", "no explanation", "without explanation", "nobody told", "no reason",
            "tanpa pemberitahuan", "tanpa alasan", "tanpa penjelasan", "tiada notis", "tanpa notis", "tidak diberitahu",
            "ไม่แจ้ง", "ไม่มีการแจ้ง", "ไม่บอก", "ไม่มีเหตุผล", "không báo", "không thông báo", "không giải thích",
            "không có lý do", "walang abiso", "walang paliwanag", "hindi sinabihan", "没有通知", "没有说明", "没有理由",
            "不通知", "না জানিয়ে", "जानकारी बिना", "بغیر اطلاع",
        ),
    ),
    "application": (
        "application",
        (
            "application", "applied", "apply", "registration", "registered", "enrol", "enroll", "enrolled", "enrolment", "enrollment", "sign up",
            "pendaftaran", "mendaftar", "daftar", "pengajuan", "permohonan", "memohon", "สมัคร", "ลงทะเบียน",
            "คำร้อง", "đăng ký", "hồ sơ", "nộp đơn", "đơn", "nag-apply", "aplikasyon", "nagparehistro",
            "申请", "报名", "登记", "আবেদন", "निवेदन", "درخواست",
        ),
    ),
    "no_response": (
        "no response",
        (
            "no response", "no reply", "no answer", "no decision", "heard nothing", "no news", "pending", "no update",
            "tidak ada jawaban", "tidak ada kabar", "belum ada kabar", "tiada jawapan", "tiada maklum balas",
            "belum ada keputusan", "ไม่มีคำตอบ", "ไม่มีความคืบหน้า", "เงียบ", "ไม่ตอบ", "không có phản hồi",
            "không có trả lời", "chưa có kết quả", "không ai trả lời", "walang sagot", "walang balita", "walang update",
            "没有回复", "没有消息", "没有结果", "杳无音信", "还没有答复", "কোনো উত্তর নেই", "जवाफ छैन", "جواب نہیں",
        ),
    ),
    "disability": (
        "disability",
        (
            "disability", "disabled", "wheelchair", "blind", "deaf", "disabilitas", "difabel", "cacat",
            "penyandang", "oku", "kurang upaya", "คนพิการ", "พิการ", "ความพิการ", "khuyết tật", "tàn tật",
            "kapansanan", "pwd", "may kapansanan", "残疾", "残障", "伤残", "প্রতিবন্ধী", "अपाङ्ग", "معذور",
        ),
    ),
    "assessment": (
        "assessment",
        (
            "assessment", "certificate", "medical board", "evaluation", "assessed", "penilaian", "asesmen",
            "sertifikat", "surat keterangan", "penilaian perubatan", "ประเมิน", "ใบรับรอง", "บัตรคนพิการ",
            "giám định", "đánh giá", "giấy xác nhận", "pagsusuri", "sertipiko", "评估", "鉴定", "证明", "残疾证",
            "সনদ", "प्रमाणपत्र", "سرٹیفکیٹ",
        ),
    ),
    "rejected": (
        "rejected",
        (
            "rejected", "refused", "denied", "turned down", "not eligible", "ditolak", "tidak layak", "tidak memenuhi",
            "tolak", "ไม่ผ่าน", "ปฏิเสธ", "ไม่อนุมัติ", "bị từ chối", "không đủ điều kiện", "không đạt", "tinanggihan",
            "hindi pumasa", "hindi kwalipikado", "被拒", "拒绝", "不符合", "没通过", "未通过", "বাতিল", "अस्वीकृत", "مسترد",
        ),
    ),
    "health_insurance": (
        "health insurance",
        (
            "health insurance", "insurance card", "health card", "philhealth", "bpjs", "kis", "jkn", "mysalam",
            "peka b40", "insurans", "บัตรทอง", "ประกันสุขภาพ", "สิทธิบัตรทอง", "บัตรประกัน", "bảo hiểm y tế",
            "thẻ bhyt", "bhyt", "thẻ bảo hiểm", "insurance", "医保", "医疗保险", "医保卡", "合作医疗", "স্বাস্থ্য বীমা",
            "स्वास्थ्य बीमा", "صحت کارڈ",
        ),
    ),
    "hospital": (
        "hospital or clinic",
        (
            "hospital", "clinic", "health centre", "health center", "doctor", "rumah sakit", "puskesmas", "klinik",
            "hospital", "โรงพยาบาล", "คลินิก", "อนามัย", "bệnh viện", "trạm y tế", "phòng khám", "ospital",
            "klinika", "health center", "医院", "诊所", "卫生院", "হাসপাতাল", "अस्पताल", "ہسپتال",
        ),
    ),
    "not_accepted": (
        "not accepted",
        (
            "not accepted", "refused to accept", "would not accept", "wouldn't accept", "did not accept",
            "not valid", "invalid", "tidak diterima", "tidak berlaku", "ditolak", "tidak sah", "ไม่รับ", "ใช้ไม่ได้",
            "ใช้สิทธิ์ไม่ได้", "không chấp nhận", "không được chấp nhận", "không dùng được", "không có giá trị",
            "hindi tinanggap", "ayaw tanggapin", "hindi valid", "不接受", "不能用", "不认", "无效", "拒收", "গ্রহণ করেনি",
            "मानेन", "قبول نہیں",
        ),
    ),
    "charged_fee": (
        "made to pay",
        (
            "made me pay", "had to pay", "charged", "fee", "pay cash", "out of pocket", "bayar sendiri", "disuruh bayar",
            "harus bayar", "dikenakan biaya", "biaya", "kena bayar", "ต้องจ่าย", "เสียเงิน", "เก็บเงิน", "phải trả tiền",
            "tự trả", "thu phí", "pinagbayad", "nagbayad", "singil", "自费", "收费", "要我付", "让我交", "ফি",
            "शुल्क", "فیس",
        ),
    ),
    "name_mismatch": (
        "name or ID mismatch",
        (
            "spelled wrong", "misspelled", "wrong name", "name is wrong", "does not match", "doesn't match",
            "mismatch", "wrong date of birth", "salah nama", "nama salah", "tidak cocok", "tidak sesuai", "salah ejaan",
            "nama tidak sama", "ชื่อผิด", "สะกดผิด", "ไม่ตรง", "ข้อมูลไม่ตรง", "sai tên", "tên bị sai", "không khớp",
            "sai ngày sinh", "mali ang pangalan", "maling pangalan", "hindi tugma", "mali ang spelling", "名字错",
            "姓名错误", "不一致", "不匹配", "写错", "নাম ভুল", "नाम गलत", "نام غلط",
        ),
    ),
    "identity_document": (
        "identity document",
        (
            "id card", "identity card", "national id", "birth certificate", "ktp", "nik", "kartu keluarga", "mykad",
            "kad pengenalan", "บัตรประชาชน", "เลขบัตร", "cccd", "cmnd", "căn cước", "giấy tờ", "philsys",
            "national id", "身份证", "户口", "证件", "এনআইডি", "পরিচয়পত্র", "नागरिकता", "شناختی کارڈ",
        ),
    ),
    "bribe": (
        "bribe or illegal fee",
        (
            "bribe", "under the table", "asked for money", "kickback", "cut of", "commission", "pungli", "pungutan",
            "uang pelicin", "minta uang", "suap", "rasuah", "duit kopi", "ติดสินบน", "ขอเงิน", "ค่าดำเนินการ",
            "เรียกเงิน", "hối lộ", "đòi tiền", "phí bôi trơn", "lót tay", "lagay", "suhol", "humingi ng pera",
            "kotong", "贿赂", "红包", "好处费", "要钱", "回扣", "ঘুষ", "घुस", "رشوت",
        ),
    ),
    "official": (
        "official or agent",
        (
            "official", "officer", "agent", "village head", "staff", "petugas", "pendamping", "kepala desa",
            "pak rt", "aparat", "pegawai", "ketua kampung", "เจ้าหน้าที่", "ผู้ใหญ่บ้าน", "กำนัน", "cán bộ",
            "trưởng thôn", "nhân viên", "opisyal", "kapitan", "barangay", "tauhan", "官员", "干部", "村长",
            "工作人员", "村干部", "কর্মকর্তা", "अधिकारी", "اہلکار",
        ),
    ),
    "bank_card": (
        "bank card or account",
        (
            "atm", "bank card", "debit card", "bank account", "card", "kartu atm", "kartu kks", "kks", "rekening",
            "buku tabungan", "akaun bank", "kad", "บัตรเอทีเอ็ม", "บัญชี", "บัตร", "ธนาคาร", "thẻ atm", "tài khoản",
            "ngân hàng", "thẻ", "kard", "cash card", "银行卡", "银行", "账户", "卡", "ব্যাংক", "बैंक", "بینک", "کارڈ",
        ),
    ),
    "blocked": (
        "blocked",
        (
            "blocked", "locked", "frozen", "swallowed", "closed", "diblokir", "terblokir", "dibekukan", "ditutup",
            "tertelan", "disekat", "dikunci", "ถูกล็อก", "ล็อก", "ถูกอายัด", "ถูกระงับ", "bị khóa", "bị chặn",
            "bị đóng", "bị nuốt", "na-block", "naka-lock", "nilamon", "isinara", "冻结", "锁定", "被锁", "吞卡", "被封",
            "ব্লক", "लक", "بلاک",
        ),
    ),
    "helpline": (
        "helpline",
        (
            "helpline", "hotline", "call centre", "call center", "phone number", "nobody answers", "no one picks up",
            "layanan pengaduan", "nomor pengaduan", "call center", "talian", "pusat panggilan", "สายด่วน",
            "โทรไม่ติด", "ไม่มีคนรับสาย", "ไม่รับสาย", "tổng đài", "đường dây nóng", "không ai nghe máy",
            "gọi không được", "hotline", "walang sumasagot", "tawag", "热线", "客服", "电话", "没人接", "打不通",
            "হেল্পলাইন", "हेल्पलाइन", "ہیلپ لائن",
        ),
    ),
    "unreachable": (
        "cannot get through",
        (
            "nobody answers", "no one answers", "no one picks up", "busy", "rings and rings", "cannot get through",
            "can't get through", "tidak diangkat", "tidak ada yang angkat", "sibuk", "tidak bisa dihubungi",
            "tiada orang jawab", "โทรไม่ติด", "ไม่มีคนรับ", "สายไม่ว่าง", "không ai nghe", "máy bận", "không liên lạc",
            "walang sumasagot", "laging busy", "hindi makontak", "没人接", "打不通", "占线", "无人接听",
        ),
    ),
    "queue_distance": (
        "long queue or far payout point",
        (
            "queue", "queued", "line for hours", "far", "travel", "fare", "hours", "antre", "antri", "antrian",
            "jauh", "ongkos", "berjam-jam", "beratur", "barisan", "เข้าคิว", "คิว", "ไกล", "ค่ารถ", "หลายชั่วโมง",
            "xếp hàng", "xa", "tiền xe", "nhiều giờ", "pila", "nakapila", "malayo", "pamasahe", "oras", "排队",
            "很远", "路费", "几个小时", "লাইন", "लाइन", "قطار",
        ),
    ),
    "payout_point": (
        "payout point",
        (
            "payout point", "pay point", "post office", "distribution", "venue", "kantor pos", "pos", "tempat pencairan",
            "pejabat pos", "ที่ทำการไปรษณีย์", "จุดจ่าย", "ไปรษณีย์", "điểm chi trả", "bưu điện", "payout",
            "venue", "munisipyo", "邮局", "发放点", "领取点", "ডাকঘর", "हुलाक", "ڈاک خانہ",
        ),
    ),
    "app_login": (
        "app login",
        (
            "app", "application login", "log in", "login", "log-in", "sign in", "password", "pin", "aplikasi",
            "masuk akun", "kata sandi", "kata laluan", "แอป", "แอปพลิเคชัน", "เข้าสู่ระบบ", "รหัสผ่าน", "ứng dụng",
            "đăng nhập", "mật khẩu", "app", "mag-log in", "应用", "软件", "登录", "密码", "অ্যাপ", "एप", "ایپ",
        ),
    ),
    "locked_out": (
        "locked out",
        (
            "locked out", "forgot", "reset", "cannot log", "can't log", "lupa", "tidak bisa masuk", "akun terkunci",
            "tidak boleh masuk", "ลืม", "เข้าไม่ได้", "ล็อกอินไม่ได้", "quên", "không đăng nhập được", "bị khóa tài khoản",
            "nakalimutan", "hindi makapasok", "忘记", "登录不了", "无法登录", "进不去",
        ),
    ),
    "app_crash": (
        "app crashes after update",
        (
            "crash", "crashes", "closes by itself", "keeps closing", "after the update", "after updating", "update",
            "force close", "white screen", "error", "force-close", "macet", "keluar sendiri", "tertutup sendiri",
            "setelah update", "setelah pembaruan", "ditutup sendiri", "ralat", "selepas kemas kini", "เด้งออก",
            "ปิดเอง", "หลังอัปเดต", "อัปเดต", "ค้าง", "แอปเด้ง", "bị văng", "tự thoát", "sau khi cập nhật",
            "cập nhật", "bị lỗi", "treo", "nagsasara", "nag-crash", "pagka-update", "閃退", "闪退", "更新后", "更新",
            "打不开", "崩溃", "卡住",
        ),
    ),
    "claim": (
        "claim",
        (
            "claim", "withdraw", "cash out", "redeem", "mencairkan", "tarik tunai", "klaim", "mengeluarkan",
            "tebus", "เบิก", "ถอน", "รับเงิน", "rút tiền", "nhận tiền", "lĩnh", "i-claim", "kunin", "mag-withdraw",
            "领取", "提现", "取钱", "领钱", "তোলা", "निकाल", "نکلوا",
        ),
    ),
    "school": (
        "school stipend",
        (
            "school", "student", "pupil", "scholarship", "stipend", "sekolah", "pelajar", "siswa", "pip", "kip",
            "beasiswa", "biasiswa", "murid", "โรงเรียน", "นักเรียน", "ทุนการศึกษา", "trường", "học sinh", "học bổng",
            "paaralan", "estudyante", "iskolar", "学校", "学生", "助学金", "奖学金", "স্কুল", "विद्यालय", "اسکول",
        ),
    ),
    "children": (
        "children",
        (
            "child", "children", "kids", "son", "daughter", "anak", "anak-anak", "ลูก", "เด็ก", "con tôi", "con của tôi",
            "trẻ em", "mga anak", "bata", "孩子", "儿子", "女儿", "儿童", "সন্তান", "बच्चा", "بچے",
        ),
    ),
    "rude_staff": (
        "treated rudely",
        (
            "rude", "shouted", "insulted", "disrespect", "humiliated", "kasar", "dibentak", "dimarahi", "menghina",
            "biadab", "หยาบคาย", "ตะคอก", "ดูถูก", "thô lỗ", "quát", "xúc phạm", "bastos", "sinigawan", "ininsulto",
            "态度恶劣", "骂", "吼", "侮辱", "খারাপ ব্যবহার", "दुर्व्यवहार", "بدتمیزی",
        ),
    ),
}


def concept_keys() -> list[str]:
    """The concepts in a fixed order: the columns of the concept part of a case vector."""
    return list(CONCEPTS)
