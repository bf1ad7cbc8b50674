# ruff: noqa: RUF001
"""A labelled multilingual set of grievances, written for the evaluation of themes and similar cases.

Sixteen recurring problems of social protection (fifteen steady over half a
year, one planted as emerging: an e-wallet app update that crashes, in one
region, in the last ten days), each told in seven languages in two ways, with
openings, closings, amounts and days that vary; one-off grievances; and
re-lodgings, in the same language with small changes and in another language
with the same amount and day. Every text is written for this set; the
glossary of grievances/insights/lexicon.py was written as a general glossary
of the domain, and the phrasings here use words beyond it on purpose.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LANGUAGES = ("en", "id", "ms", "th", "vi", "fil", "zh-hans")
TODAY = dt.date(2026, 6, 30)
REGIONS = ("north", "south", "east", "west", "central")
EMERGING = "app_crash"
EMERGING_REGION = "east"

# problem -> language -> two ways of telling it ({amt}: an amount, {d}: a day of the month)
PROBLEMS: dict[str, dict[str, tuple[str, str]]] = {
    "otp": {
        "en": (
            "The OTP code never arrives on my phone so I cannot confirm my account, I tried {d} times.",
            "I keep asking for the verification code by SMS but no text message comes. Since the {d}th.",
        ),
        "id": (
            "Kode OTP tidak pernah masuk ke HP saya, sudah coba {d} kali tetap tidak ada.",
            "SMS kode verifikasi tidak sampai sehingga saya tidak bisa konfirmasi akun sejak tanggal {d}.",
        ),
        "ms": (
            "Kod TAC tidak sampai ke telefon saya, sudah cuba {d} kali.",
            "Saya tidak terima SMS kod pengesahan, jadi tak boleh sahkan akaun sejak {d} hari bulan.",
        ),
        "th": ("รหัส OTP ไม่เข้ามือถือเลย ลองขอใหม่ {d} ครั้งแล้ว", "ไม่ได้รับข้อความ SMS รหัสยืนยัน ยืนยันบัญชีไม่ได้ตั้งแต่วันที่ {d}"),
        "vi": (
            "Tôi không nhận được mã OTP qua điện thoại, đã thử {d} lần.",
            "Tin nhắn mã xác nhận không về máy nên không xác thực tài khoản được từ ngày {d}.",
        ),
        "fil": (
            "Hindi dumating ang OTP sa cellphone ko, {d} beses ko nang sinubukan.",
            "Walang dumating na text na may verification code kaya hindi ko ma-confirm ang account mula {d}.",
        ),
        "zh-hans": ("手机一直收不到OTP验证码，已经试了{d}次。", "短信验证码没收到，从{d}号起账户无法确认。"),
    },
    "ewallet_transfer": {
        "en": (
            "Since the payment provider changed, my allowance of {amt} was not received in my e-wallet.",
            "The cash transfer was sent to the new wallet provider but nothing came into my GCash account, {amt} missing.",
        ),
        "id": (
            "Sejak ganti penyedia, bantuan {amt} tidak masuk ke dompet digital saya.",
            "Bansos saya dipindah ke e-wallet baru tapi uang {amt} belum masuk sampai sekarang.",
        ),
        "ms": (
            "Selepas penyedia bertukar, bantuan tunai {amt} tidak masuk ke e-wallet saya.",
            "Wang bantuan {amt} dihantar ke dompet elektronik baru tapi belum sampai.",
        ),
        "th": (
            "หลังเปลี่ยนผู้ให้บริการ เงินช่วยเหลือ {amt} บาทไม่เข้ากระเป๋าเงินอิเล็กทรอนิกส์",
            "เงินอุดหนุน {amt} ถูกโอนไปวอลเล็ทใหม่แต่ยังไม่เข้าบัญชีของฉัน",
        ),
        "vi": (
            "Từ khi đổi nhà cung cấp, tiền trợ cấp {amt} không về ví điện tử của tôi.",
            "Khoản hỗ trợ {amt} chuyển sang ví MoMo mới nhưng tôi chưa nhận được.",
        ),
        "fil": (
            "Mula nang lumipat ng provider, hindi pumasok sa e-wallet ko ang ayuda na {amt}.",
            "Ipinadala raw ang {amt} na tulong sa bagong wallet pero hindi ko natanggap sa GCash.",
        ),
        "zh-hans": (
            "换了支付服务商以后，{amt}元补助没有到账电子钱包。",
            "补贴{amt}元说转到新的电子钱包了，可我一直没收到。",
        ),
    },
    "reduced": {
        "en": (
            "This month I only received {amt}, much less than my usual benefit, and nobody explained the cut.",
            "My cash assistance was reduced to {amt} without any reason given.",
        ),
        "id": (
            "Bulan ini saya hanya menerima {amt}, lebih sedikit dari biasanya, bantuan dipotong tanpa penjelasan.",
            "Jumlah bantuan saya berkurang jadi {amt}, kenapa dipotong?",
        ),
        "ms": (
            "Bulan ini bantuan saya dikurangkan kepada {amt} sahaja.",
            "Saya hanya terima {amt}, kurang daripada biasa, tiada penjelasan.",
        ),
        "th": (
            "เดือนนี้ได้แค่ {amt} บาท น้อยกว่าทุกเดือน เบี้ยถูกหักโดยไม่บอกเหตุผล",
            "เงินช่วยเหลือลดลงเหลือ {amt} บาท ไม่ทราบว่าถูกหักเพราะอะไร",
        ),
        "vi": (
            "Tháng này tôi chỉ nhận được {amt}, ít hơn mọi tháng, trợ cấp bị giảm mà không giải thích.",
            "Tiền trợ cấp bị trừ, còn {amt}, tôi không biết vì sao.",
        ),
        "fil": (
            "Ngayong buwan {amt} lang ang natanggap ko, kulang kumpara dati at walang paliwanag.",
            "Binawasan ang ayuda ko, {amt} na lang, bakit po?",
        ),
        "zh-hans": (
            "这个月补助只收到{amt}元，比平时少了，也没有说明为什么扣了。",
            "我的补贴减少到{amt}元，被扣了没有理由。",
        ),
    },
    "late": {
        "en": (
            "The payment for this quarter is {d} days late and we still have not received the money.",
            "Our allowance is delayed again, {d} days overdue, we are still waiting.",
        ),
        "id": (
            "Pencairan bantuan triwulan ini terlambat {d} hari dan uangnya belum diterima.",
            "Bantuan kami telat lagi, sudah lewat {d} hari, masih menunggu.",
        ),
        "ms": (
            "Bayaran bantuan lewat {d} hari dan masih belum terima.",
            "Bantuan tertunda sudah {d} hari, kami masih menunggu.",
        ),
        "th": ("เงินงวดนี้จ่ายล่าช้า {d} วันแล้ว ยังไม่ได้รับเงินเลย", "เบี้ยเลยกำหนดมา {d} วัน ยังรออยู่"),
        "vi": (
            "Tiền trợ cấp quý này chậm {d} ngày rồi mà vẫn chưa nhận được.",
            "Khoản chi trả bị trễ {d} ngày, gia đình vẫn đang chờ.",
        ),
        "fil": (
            "Naantala ng {d} araw ang bayad ngayong quarter at wala pa rin kaming natatanggap.",
            "Huli na naman ang ayuda, {d} araw na kaming naghihintay.",
        ),
        "zh-hans": ("本季度的补助推迟了{d}天，到现在还没收到钱。", "补贴又延迟发放了，已经{d}天，我们还在等。"),
    },
    "pension_life": {
        "en": (
            "My old age pension stopped because they say my proof of life was not recorded, but I am alive and went on the {d}th.",
            "The elderly pension was suspended after the life certificate check, I am {amt} short.",
        ),
        "id": (
            "Pensiun lansia saya dihentikan karena surat keterangan hidup katanya belum tercatat, padahal saya datang tanggal {d}.",
            "Bantuan lansia berhenti setelah verifikasi bukti hidup, saya masih hidup.",
        ),
        "ms": (
            "Pencen warga emas saya dihentikan kerana sijil hidup tidak direkod, saya hadir pada {d} hari bulan.",
            "Bantuan warga emas ditangguhkan selepas semakan bukti hidup.",
        ),
        "th": (
            "เบี้ยผู้สูงอายุถูกระงับเพราะบอกว่าไม่ได้แสดงตนรับรองการมีชีวิต ทั้งที่ไปแล้ววันที่ {d}",
            "เงินบำนาญผู้สูงอายุหยุดจ่ายหลังตรวจยืนยันตัวตนว่ายังมีชีวิตอยู่",
        ),
        "vi": (
            "Lương hưu của tôi bị dừng vì nói chưa có xác nhận còn sống, tôi đã đi xác nhận ngày {d}.",
            "Trợ cấp người cao tuổi bị cắt sau đợt xác nhận còn sống.",
        ),
        "fil": (
            "Itinigil ang pensyon ko bilang senior citizen dahil wala raw proof na buhay pa ako, pumunta ako noong {d}.",
            "Sinuspinde ang social pension ng matanda matapos ang verification of existence.",
        ),
        "zh-hans": (
            "我的养老金停发了，说没有做生存认证，我{d}号已经去认证了。",
            "老人高龄补贴在生存证明审核后被暂停了。",
        ),
    },
    "removed_list": {
        "en": (
            "Our family was removed from the beneficiary list without notice after {d} years of receiving support.",
            "My name is gone from the list of beneficiaries and nobody told us why.",
        ),
        "id": (
            "Keluarga kami dicoret dari daftar penerima bantuan tanpa pemberitahuan setelah {d} tahun.",
            "Nama saya hilang dari DTKS dan tidak ada yang memberi alasan.",
        ),
        "ms": (
            "Keluarga kami dikeluarkan daripada senarai penerima tanpa notis selepas {d} tahun.",
            "Nama saya tiada lagi dalam senarai penerima manfaat, tiada penjelasan.",
        ),
        "th": ("ครอบครัวถูกตัดชื่อออกจากรายชื่อผู้มีสิทธิ์โดยไม่แจ้ง หลังรับมา {d} ปี", "ไม่มีชื่อในทะเบียนผู้มีสิทธิ์แล้ว ไม่มีใครบอกเหตุผล"),
        "vi": (
            "Gia đình tôi bị xóa khỏi danh sách hộ nghèo mà không thông báo sau {d} năm.",
            "Tên tôi bị gạch tên khỏi danh sách người thụ hưởng, không có lý do.",
        ),
        "fil": (
            "Tinanggal ang pamilya namin sa listahan ng 4Ps nang walang abiso pagkatapos ng {d} taon.",
            "Wala na sa listahan ang pangalan ko at walang paliwanag.",
        ),
        "zh-hans": (
            "我们家被从低保名单中删除了，事先没有通知，已经领了{d}年。",
            "名单上没有我的名字了，也没有说明理由。",
        ),
    },
    "application_pending": {
        "en": (
            "I applied to enrol in the programme {d} months ago and still no decision or any response.",
            "My registration has been pending since {d} months, no reply from the office.",
        ),
        "id": (
            "Saya mendaftar program ini {d} bulan lalu tapi belum ada keputusan atau kabar.",
            "Permohonan saya sudah {d} bulan tanpa jawaban dari dinas.",
        ),
        "ms": (
            "Saya memohon {d} bulan lalu tetapi tiada jawapan sehingga kini.",
            "Permohonan pendaftaran belum ada keputusan selepas {d} bulan.",
        ),
        "th": ("สมัครลงทะเบียนไปตั้งแต่ {d} เดือนก่อน ยังไม่มีคำตอบ", "ยื่นคำร้องขอรับสิทธิ์ {d} เดือนแล้ว ไม่มีความคืบหน้า"),
        "vi": (
            "Tôi nộp hồ sơ đăng ký {d} tháng trước mà chưa có kết quả.",
            "Đơn đăng ký của tôi đã {d} tháng không có phản hồi.",
        ),
        "fil": (
            "Nag-apply ako {d} buwan na ang nakalipas pero walang sagot hanggang ngayon.",
            "Ang aplikasyon ko ay {d} buwan nang walang update.",
        ),
        "zh-hans": ("我{d}个月前申请了，到现在没有结果也没有回复。", "报名登记已经{d}个月，还没有答复。"),
    },
    "disability_rejected": {
        "en": (
            "My disability assessment was rejected although I use a wheelchair, the medical board saw me on the {d}th.",
            "The disability certificate was refused, they say I am not eligible.",
        ),
        "id": (
            "Penilaian disabilitas saya ditolak padahal saya pakai kursi roda, diperiksa tanggal {d}.",
            "Sertifikat penyandang disabilitas ditolak, katanya tidak memenuhi syarat.",
        ),
        "ms": (
            "Permohonan kad OKU saya ditolak walaupun saya berkerusi roda, dinilai pada {d} hari bulan.",
            "Penilaian kurang upaya saya tidak layak, kenapa?",
        ),
        "th": ("ประเมินความพิการไม่ผ่าน ทั้งที่ใช้รถเข็น ไปตรวจวันที่ {d}", "ขอบัตรคนพิการถูกปฏิเสธ บอกว่าไม่เข้าเกณฑ์"),
        "vi": (
            "Giám định khuyết tật của tôi bị từ chối dù tôi phải ngồi xe lăn, khám ngày {d}.",
            "Giấy xác nhận khuyết tật không được cấp, nói tôi không đủ điều kiện.",
        ),
        "fil": (
            "Tinanggihan ang PWD assessment ko kahit naka-wheelchair ako, sinuri noong {d}.",
            "Hindi pumasa ang pagsusuri ng kapansanan ko, hindi raw kwalipikado.",
        ),
        "zh-hans": ("我的残疾评估没通过，我坐轮椅，{d}号做的鉴定。", "残疾证申请被拒绝了，说不符合条件。"),
    },
    "health_card": {
        "en": (
            "The hospital would not accept my health insurance card and made me pay {amt} myself.",
            "At the clinic they said my insurance card is not valid and I had to pay cash.",
        ),
        "id": (
            "Rumah sakit tidak menerima kartu BPJS saya dan saya disuruh bayar sendiri {amt}.",
            "Di puskesmas kartu KIS saya katanya tidak berlaku, harus bayar.",
        ),
        "ms": (
            "Hospital tidak terima kad insurans kesihatan saya, saya kena bayar {amt}.",
            "Klinik kata kad peKa B40 saya tidak sah dan saya perlu bayar sendiri.",
        ),
        "th": ("โรงพยาบาลไม่รับบัตรทอง ต้องจ่ายเงินเอง {amt} บาท", "ไปคลินิกแล้วใช้สิทธิบัตรทองไม่ได้ ต้องเสียเงินเอง"),
        "vi": (
            "Bệnh viện không chấp nhận thẻ bảo hiểm y tế, tôi phải tự trả {amt}.",
            "Trạm y tế nói thẻ BHYT của tôi không có giá trị, phải trả tiền.",
        ),
        "fil": (
            "Hindi tinanggap ng ospital ang PhilHealth ko at pinagbayad ako ng {amt}.",
            "Sa health center sinabing hindi valid ang insurance card ko kaya nagbayad ako.",
        ),
        "zh-hans": ("医院不接受我的医保卡，让我自费{amt}元。", "卫生院说我的医保卡无效，只能自己付钱。"),
    },
    "name_mismatch": {
        "en": (
            "My name is spelled wrong in the database so it does not match my ID card and the payment of {amt} is blocked.",
            "The date of birth on record does not match my national ID, so I cannot be paid.",
        ),
        "id": (
            "Nama saya salah ejaan di data sehingga tidak sesuai KTP dan bantuan {amt} tertahan.",
            "Tanggal lahir di data tidak cocok dengan NIK saya, jadi tidak bisa cair.",
        ),
        "ms": (
            "Nama saya salah dalam sistem, tidak sama dengan MyKad, bayaran {amt} tersekat.",
            "Tarikh lahir tidak sepadan dengan kad pengenalan, bantuan tidak dibayar.",
        ),
        "th": ("ชื่อสะกดผิดในระบบ ไม่ตรงกับบัตรประชาชน เลยไม่ได้รับเงิน {amt} บาท", "ข้อมูลวันเกิดไม่ตรงกับเลขบัตร ทำให้รับเงินไม่ได้"),
        "vi": (
            "Tên tôi bị sai trong hệ thống, không khớp với căn cước nên khoản {amt} bị giữ lại.",
            "Ngày sinh sai so với CCCD nên tôi không được chi trả.",
        ),
        "fil": (
            "Mali ang spelling ng pangalan ko sa database, hindi tugma sa PhilSys ID kaya hindi maibigay ang {amt}.",
            "Hindi tugma ang birthday sa record at sa national ID ko kaya hindi ako mabayaran.",
        ),
        "zh-hans": (
            "系统里我的名字写错了，和身份证不一致，{amt}元发不下来。",
            "出生日期和身份证不匹配，所以领不了钱。",
        ),
    },
    "bribe": {
        "en": (
            "The village official asked for {amt} under the table to put my name on the list.",
            "An agent demanded a fee of {amt} before he would register us for the programme.",
        ),
        "id": (
            "Petugas desa minta uang {amt} supaya nama saya dimasukkan ke daftar.",
            "Ada pungli {amt} dari pendamping sebelum kami didaftarkan.",
        ),
        "ms": (
            "Pegawai kampung minta duit kopi {amt} untuk masukkan nama saya.",
            "Ejen minta bayaran {amt} sebelum mendaftar kami, ini rasuah.",
        ),
        "th": ("ผู้ใหญ่บ้านเรียกเงิน {amt} บาท ถึงจะใส่ชื่อให้", "เจ้าหน้าที่ขอค่าดำเนินการ {amt} บาทก่อนลงทะเบียนให้"),
        "vi": (
            "Cán bộ thôn đòi {amt} mới cho tên tôi vào danh sách.",
            "Nhân viên đòi tiền lót tay {amt} thì mới làm hồ sơ cho chúng tôi.",
        ),
        "fil": (
            "Humingi ng {amt} na lagay ang opisyal ng barangay para isama ako sa listahan.",
            "May tauhan na humingi ng pera, {amt}, bago kami i-register.",
        ),
        "zh-hans": ("村干部要我给{amt}元好处费才把名字加到名单上。", "工作人员要了{amt}元红包才肯给我们登记。"),
    },
    "card_blocked": {
        "en": (
            "My ATM card for the benefit got blocked and the machine swallowed it on the {d}th.",
            "The bank account where my allowance goes was frozen and I cannot withdraw {amt}.",
        ),
        "id": (
            "Kartu KKS saya terblokir dan tertelan di mesin ATM tanggal {d}.",
            "Rekening bantuan saya dibekukan, tidak bisa tarik tunai {amt}.",
        ),
        "ms": (
            "Kad ATM bantuan saya disekat dan ditelan mesin pada {d} hari bulan.",
            "Akaun bank untuk bantuan dibekukan, tak boleh keluarkan {amt}.",
        ),
        "th": ("บัตรเอทีเอ็มรับเงินสวัสดิการถูกล็อก ตู้กินบัตรวันที่ {d}", "บัญชีธนาคารที่รับเงินถูกอายัด ถอนเงิน {amt} บาทไม่ได้"),
        "vi": (
            "Thẻ ATM nhận trợ cấp bị khóa và bị máy nuốt ngày {d}.",
            "Tài khoản ngân hàng nhận tiền bị chặn, không rút được {amt}.",
        ),
        "fil": (
            "Na-block ang cash card ko at nilamon ng ATM noong {d}.",
            "Naka-lock ang bank account kung saan pumapasok ang ayuda, hindi ko ma-withdraw ang {amt}.",
        ),
        "zh-hans": ("领补贴的银行卡被锁定了，{d}号取款机吞卡了。", "收补助的银行账户被冻结，{amt}元取不出来。"),
    },
    "helpline": {
        "en": (
            "I called the helpline {d} times this week and nobody answers.",
            "The hotline number is always busy, I cannot get through to ask about my case.",
        ),
        "id": (
            "Saya telepon call center {d} kali minggu ini dan tidak diangkat.",
            "Nomor pengaduan selalu sibuk, tidak bisa dihubungi.",
        ),
        "ms": (
            "Saya telefon talian bantuan {d} kali tetapi tiada orang jawab.",
            "Pusat panggilan sentiasa sibuk, saya tak dapat bercakap dengan sesiapa.",
        ),
        "th": ("โทรสายด่วน {d} ครั้งในสัปดาห์นี้ ไม่มีคนรับสาย", "โทรไม่ติดเลย สายไม่ว่างตลอด อยากถามเรื่องของฉัน"),
        "vi": (
            "Tôi gọi tổng đài {d} lần trong tuần mà không ai nghe máy.",
            "Đường dây nóng luôn máy bận, không liên lạc được.",
        ),
        "fil": (
            "Tinawagan ko ang hotline ng {d} beses ngayong linggo pero walang sumasagot.",
            "Laging busy ang hotline, hindi makontak para magtanong.",
        ),
        "zh-hans": ("这周我打了{d}次热线电话，一直没人接。", "客服电话总是占线，打不通。"),
    },
    "queue_far": {
        "en": (
            "The payout point is far from our village, my mother waited in the queue for {d} hours.",
            "Elderly people queue all day at the post office to collect the allowance, the fare costs {amt}.",
        ),
        "id": (
            "Tempat pencairan jauh dari desa, ibu saya antre {d} jam.",
            "Lansia harus antri seharian di kantor pos, ongkos ke sana {amt}.",
        ),
        "ms": (
            "Tempat pembayaran jauh, emak saya beratur {d} jam.",
            "Warga emas beratur seharian di pejabat pos, tambang {amt}.",
        ),
        "th": ("จุดจ่ายเงินอยู่ไกลจากหมู่บ้าน แม่ต้องเข้าคิว {d} ชั่วโมง", "ผู้สูงอายุต้องต่อคิวทั้งวันที่ไปรษณีย์ ค่ารถ {amt} บาท"),
        "vi": (
            "Điểm chi trả ở xa, mẹ tôi phải xếp hàng {d} tiếng.",
            "Người già phải xếp hàng cả ngày ở bưu điện, tiền xe {amt}.",
        ),
        "fil": (
            "Malayo ang payout venue, {d} oras nakapila ang nanay ko.",
            "Buong araw nakapila ang mga senior sa munisipyo, pamasahe {amt}.",
        ),
        "zh-hans": ("发放点离村子很远，我母亲排队排了{d}个小时。", "老人在邮局排了一整天队领补贴，路费要{amt}元。"),
    },
    "login_locked": {
        "en": (
            "I forgot the PIN of the app and now my account is locked, reset does not work since the {d}th.",
            "I cannot log in to the benefits app, the password reset link does nothing.",
        ),
        "id": (
            "Saya lupa PIN aplikasi dan akun terkunci sejak tanggal {d}.",
            "Tidak bisa masuk aplikasi bansos, reset kata sandi tidak berfungsi.",
        ),
        "ms": (
            "Saya lupa kata laluan aplikasi dan akaun dikunci sejak {d} hari bulan.",
            "Tidak boleh masuk ke aplikasi, reset PIN tidak berjaya.",
        ),
        "th": ("ลืมรหัสผ่านแอป บัญชีถูกล็อกตั้งแต่วันที่ {d}", "ล็อกอินแอปไม่ได้ กดรีเซ็ตรหัสผ่านก็ไม่ได้"),
        "vi": (
            "Tôi quên mật khẩu ứng dụng và tài khoản bị khóa từ ngày {d}.",
            "Không đăng nhập được ứng dụng, đặt lại mật khẩu cũng không được.",
        ),
        "fil": (
            "Nakalimutan ko ang PIN ng app at naka-lock na ang account mula {d}.",
            "Hindi makapasok sa app, hindi gumagana ang reset ng password.",
        ),
        "zh-hans": ("我忘记了应用的密码，从{d}号起账户被锁定。", "登录不了补贴软件，重置密码也没用。"),
    },
    "school_stipend": {
        "en": (
            "My children's school stipend of {amt} has not been paid this term.",
            "The student scholarship for my daughter never arrived, the school says it was approved.",
        ),
        "id": (
            "Dana PIP anak saya {amt} belum cair semester ini.",
            "Beasiswa sekolah anak saya tidak pernah masuk, padahal kata sekolah sudah disetujui.",
        ),
        "ms": (
            "Bantuan persekolahan anak saya {amt} belum dibayar penggal ini.",
            "Biasiswa murid untuk anak saya tidak sampai.",
        ),
        "th": ("ทุนการศึกษาของลูก {amt} บาทเทอมนี้ยังไม่ได้รับ", "เงินอุดหนุนนักเรียนของลูกสาวไม่เข้า โรงเรียนบอกว่าอนุมัติแล้ว"),
        "vi": (
            "Học bổng của con tôi {amt} học kỳ này chưa nhận được.",
            "Tiền hỗ trợ học sinh cho con gái tôi không về, trường nói đã duyệt.",
        ),
        "fil": (
            "Hindi pa naibibigay ang {amt} na tulong pang-eskwela ng mga anak ko.",
            "Ang scholarship ng anak kong estudyante ay hindi dumating, sabi ng paaralan aprubado na.",
        ),
        "zh-hans": ("孩子这学期的助学金{amt}元还没发。", "我女儿的学生奖学金一直没到，学校说已经批了。"),
    },
    "app_crash": {
        "en": (
            "Since the last update the wallet app crashes every time I try to claim my benefit.",
            "After updating the app it closes by itself on the claim screen, I cannot withdraw {amt}.",
        ),
        "id": (
            "Setelah update, aplikasi dompet keluar sendiri setiap kali saya mau klaim bantuan.",
            "Aplikasi force close di halaman klaim sejak pembaruan, tidak bisa tarik {amt}.",
        ),
        "ms": (
            "Selepas kemas kini, aplikasi e-wallet tertutup sendiri bila saya tuntut bantuan.",
            "Aplikasi ralat dan keluar sendiri sejak kemas kini, tak boleh keluarkan {amt}.",
        ),
        "th": ("หลังอัปเดต แอปกระเป๋าเงินเด้งออกทุกครั้งที่จะกดรับเงิน", "แอปค้างแล้วปิดเองหลังอัปเดต ถอนเงิน {amt} บาทไม่ได้"),
        "vi": (
            "Sau khi cập nhật, ứng dụng ví tự thoát mỗi lần tôi nhận tiền trợ cấp.",
            "Ứng dụng bị văng ở màn hình rút tiền từ bản cập nhật, không rút được {amt}.",
        ),
        "fil": (
            "Pagka-update, nag-crash ang wallet app tuwing i-claim ko ang ayuda.",
            "Nagsasara mag-isa ang app sa claim screen mula nang mag-update, hindi ko ma-withdraw ang {amt}.",
        ),
        "zh-hans": ("更新后钱包应用每次领取补贴都闪退。", "应用更新以后在提现页面崩溃，{amt}元取不了。"),
    },
}

OPENINGS = {
    "en": ("", "Good day. ", "Please help me. ", "I am writing about my household's support. "),
    "id": ("", "Selamat siang. ", "Mohon bantuannya. ", "Saya mau melapor. "),
    "ms": ("", "Salam sejahtera. ", "Tolong bantu saya. ", "Saya ingin membuat aduan. "),
    "th": ("", "สวัสดีค่ะ ", "ขอความช่วยเหลือด้วย ", "ขอร้องเรียนเรื่องนี้ "),
    "vi": ("", "Xin chào. ", "Mong được giúp đỡ. ", "Tôi muốn phản ánh. "),
    "fil": ("", "Magandang araw po. ", "Pakitulungan po ako. ", "Gusto ko pong magreklamo. "),
    "zh-hans": ("", "您好。", "请帮帮我。", "我想反映一个问题。"),
}
CLOSINGS = {
    "en": ("", " We depend on this money.", " Thank you.", " What should I do now?"),
    "id": ("", " Kami sangat bergantung pada bantuan ini.", " Terima kasih.", " Apa yang harus saya lakukan?"),
    "ms": ("", " Kami bergantung pada bantuan ini.", " Terima kasih.", " Apa patut saya buat?"),
    "th": ("", " ครอบครัวเดือดร้อนมาก", " ขอบคุณค่ะ", " ควรทำอย่างไรต่อ"),
    "vi": ("", " Gia đình tôi rất khó khăn.", " Xin cảm ơn.", " Tôi phải làm gì bây giờ?"),
    "fil": ("", " Umaasa kami sa tulong na ito.", " Salamat po.", " Ano po ang dapat kong gawin?"),
    "zh-hans": ("", "我们全家靠这笔钱生活。", "谢谢。", "我现在该怎么办？"),
}

ONE_OFFS = (
    ("en", "My neighbour built a wall on the footpath in front of the ward office."),
    ("id", "Saya ingin tahu jadwal vaksinasi hewan ternak di kecamatan kami."),
    ("th", "อยากทราบวิธีขอใบอนุญาตขายอาหารริมทางในตลาดนัด"),
    ("vi", "Đèn đường trước nhà văn hóa thôn bị hỏng đã lâu."),
    ("fil", "Gusto kong magtanong tungkol sa pagpapalit ng apelyido pagkatapos ikasal."),
    ("zh-hans", "请问社区图书馆周末几点开门？"),
    ("ms", "Longkang di hadapan surau tersumbat dan berbau."),
    ("en", "I would like to suggest a bus stop near the new market."),
    ("id", "Sampah menumpuk di sungai dekat pasar minggu."),
    ("th", "ขอแจ้งว่าป้ายรถเมล์หน้าวัดพังลงมา"),
    ("vi", "Tôi muốn hỏi thủ tục đổi giấy phép lái xe quốc tế."),
    ("fil", "Maingay ang videoke ng kapitbahay tuwing gabi."),
    ("zh-hans", "小区的健身器材坏了，希望维修。"),
    ("ms", "Bilakah pertandingan bola sepak peringkat daerah akan diadakan?"),
    ("en", "The tax office sent me a letter in a language I cannot read."),
    ("vi", "Chó nhà hàng xóm sủa suốt đêm."),
    ("th", "ต้นไม้ใหญ่ล้มขวางถนนในซอยห้า"),
    ("id", "Bagaimana cara mengurus izin usaha mikro secara online?"),
    ("zh-hans", "我想捐一些旧衣服，应该送到哪里？"),
    ("fil", "Kailan po ang susunod na libreng seminar sa paggawa ng sabon?"),
)


@dataclass
class Case:
    key: int
    text: str
    language: str
    problem: str  # or "one-off:<n>"
    region: str
    occurred_on: dt.date
    duplicate_of: int | None = None


def _amount(seed: int) -> str:
    return f"{1000 + (seed * 7919) % 8000:,}"


def build() -> list[Case]:
    """The set, in a fixed order (keys are positions)."""
    cases: list[Case] = []
    steady = [problem for problem in PROBLEMS if problem != EMERGING]
    for p_index, problem in enumerate(PROBLEMS):
        for l_index, language in enumerate(LANGUAGES):
            for variant in range(3):
                seed = p_index * 100 + l_index * 10 + variant
                phrasing = PROBLEMS[problem][language][(variant + l_index) % 2]
                text = (
                    OPENINGS[language][(seed // 3) % 4]
                    + phrasing.format(amt=_amount(seed), d=3 + seed % 25)
                    + CLOSINGS[language][(seed // 7) % 4]
                )
                if problem == EMERGING:
                    region, day = EMERGING_REGION, TODAY - dt.timedelta(days=seed % 10)
                else:
                    region = REGIONS[(seed * 31 + p_index) % len(REGIONS)]
                    day = TODAY - dt.timedelta(days=(seed * 37 + steady.index(problem) * 11) % 180)
                cases.append(Case(len(cases), text, language, problem, region, day))
    for n, (language, text) in enumerate(ONE_OFFS):
        cases.append(Case(len(cases), text, language, f"one-off:{n}", REGIONS[n % 5], TODAY - dt.timedelta(days=5 * n)))
    # Re-lodgings in the same language: the same complaint, a few words changed.
    for n in range(14):
        original = cases[(n * 23 + 5) % (len(PROBLEMS) * len(LANGUAGES) * 3)]
        text = original.text.replace(".", "!", 1) + (" Again." if n % 2 else " (2)")
        cases.append(_again(cases, original, text, original.language))
    # Re-lodgings in another language: the same problem, amount and day, told again in the other language.
    for n in range(10):
        p_index = (n * 5 + 1) % len(PROBLEMS)
        l_index = n % len(LANGUAGES)
        problem = list(PROBLEMS)[p_index]
        original = cases[(p_index * len(LANGUAGES) + l_index) * 3]
        other = LANGUAGES[(l_index + 3) % len(LANGUAGES)]
        seed = p_index * 100 + l_index * 10
        phrasing = PROBLEMS[problem][other][l_index % 2]
        text = phrasing.format(amt=_amount(seed), d=3 + seed % 25) + f" ({original.occurred_on:%d/%m})"
        if f"{original.occurred_on:%d/%m}" not in original.text:
            original.text += f" ({original.occurred_on:%d/%m})"
        cases.append(_again(cases, original, text, other))
    return cases


def _again(cases: list[Case], original: Case, text: str, language: str) -> Case:
    return Case(
        len(cases),
        text,
        language,
        original.problem,
        original.region,
        original.occurred_on,
        duplicate_of=original.key,
    )
