"""Every text of the resident page, in Bahasa Indonesia (the default) and English."""

from __future__ import annotations

from service.language import Language

TEXTS: dict[Language, dict[str, str]] = {
    "id": {
        "title": "Cek Pendaftaran Pemilih",
        "lead": "Apakah Anda terdaftar di Daftar Pemilih Tetap (DPT), dan di TPS mana Anda memilih?",
        "switch": "English",
        "nik_heading": "Cek dengan NIK",
        "nik_label": "NIK (16 angka, seperti di KTP-el)",
        "nik_hint": "Boleh diketik dengan spasi. NIK tidak disimpan dan tidak tampil di alamat halaman.",
        "check": "Cek",
        "name_heading": "Cari dengan nama",
        "name_label": "Nama lengkap",
        "born_label": "Tanggal lahir",
        "kabkota_label": "Kabupaten/kota",
        "choose_kabkota": "Pilih",
        "region_label": "Kecamatan / kelurahan",
        "whole_kabkota": "Seluruh kabupaten/kota",
        "search": "Cari",
        "registered": "Anda terdaftar di DPT",
        "name": "Nama",
        "tps": "TPS",
        "address": "Alamat TPS",
        "map": "Lihat di peta (OpenStreetMap)",
        "region": "Wilayah",
        "election": "Pemilihan",
        "when": "Hari dan jam",
        "hours": "pukul 07.00 sampai 13.00 waktu setempat",
        "bring": "Bawa KTP-el Anda. Formulir pemberitahuan (C6) bukan syarat untuk memilih.",
        "not_registered": "NIK ini tidak ditemukan di DPT",
        "not_registered_help": (
            "Artinya NIK ini tidak tercantum pada daftar pemilih yang diterbitkan. Periksa lagi angkanya. "
            "Jika benar dan Anda berhak memilih, datangi Panitia Pemungutan Suara (PPS) di kantor "
            "kelurahan/desa Anda dengan membawa KTP-el dan Kartu Keluarga."
        ),
        "moved_help": (
            "Sudah pindah domisili? Minta PPS atau KPU kabupaten/kota mendaftarkan Anda sebagai "
            "pemilih pindahan (DPTb) paling lambat 30 hari sebelum hari pemungutan suara."
        ),
        "helpdesk": "Butuh bantuan? Datangi meja bantuan di kelurahan, atau kirim SMS: DPT <NIK>.",
        "again": "Cek NIK lain",
        "back": "Kembali ke formulir",
        "date_unknown": "tanggal diumumkan KPU",
        "error_heading": "Periksa isian Anda",
        "results_heading": "Hasil pencarian",
        "results_lead": "Nama disamarkan untuk melindungi data pribadi.",
        "none_found": "Tidak ada pemilih yang cocok",
        "none_found_help": (
            "Periksa ejaan nama, tanggal lahir dan wilayahnya, atau cek dengan NIK. Ejaan lama "
            "(Soeharto, Djoko) dan gelar tidak perlu ditulis persis."
        ),
        "busy_heading": "Layanan sedang sangat sibuk",
        "busy_help": "Banyak orang sedang mengecek. Silakan coba lagi dalam {seconds} detik.",
        "limited_heading": "Terlalu banyak permintaan",
        "limited_help": "Silakan coba lagi dalam {minutes} menit.",
        "not_found_heading": "Halaman tidak ditemukan",
        "not_found_help": "Alamat ini tidak ada. Dari halaman awal Anda bisa mengecek NIK atau mencari nama.",
        "refused_heading": "Permintaan ditolak",
        "fault_heading": "Terjadi kesalahan",
        "score": "kecocokan",
        "likely": "kemungkinan besar Anda",
        "kelurahan": "Kel.",
        "kecamatan": "Kec.",
        "privacy": "Layanan ini tidak menyimpan NIK Anda dan tidak memakai skrip atau huruf dari pihak lain.",
        "hours_local": "pukul {start} sampai {end} {zone}",
        "local_time": "waktu setempat",
        "geo": "Buka di aplikasi peta ponsel",
        "assist": (
            "Pemilih penyandang disabilitas boleh didampingi orang pilihannya sendiri di TPS, dan "
            "petugas KPPS wajib membantu bila diminta."
        ),
        "access_heading": "Akses TPS",
        "step_free": "Bisa dicapai tanpa tangga",
        "not_step_free": "Ada tangga atau undakan",
        "ground_floor": "Di lantai dasar",
        "not_ground_floor": "Tidak di lantai dasar",
        "check_digits": "Periksa lagi 16 angka NIK di KTP-el Anda, lalu cek sekali lagi.",
        "pps_help": (
            "Jika angkanya benar dan Anda berhak memilih (17 tahun pada hari pemungutan suara, atau "
            "sudah/pernah kawin), laporkan ke Panitia Pemungutan Suara (PPS) di kantor kelurahan/desa "
            "Anda dengan membawa KTP-el dan Kartu Keluarga."
        ),
        "dptb_moving": (
            "Akan memilih di tempat lain karena pindah domisili, tugas belajar atau bekerja? Urus "
            "pindah memilih (DPTb) di PPS atau KPU kabupaten/kota paling lambat {date}."
        ),
        "dptb_urgent": (
            "Sakit atau dirawat, tertimpa bencana, menjadi tahanan, atau bertugas di tempat lain pada "
            "hari pemungutan suara? Urus pindah memilih (DPTb) paling lambat {date}."
        ),
        "dpk_help": (
            "Pada hari pemungutan suara{day}, jika Anda berhak memilih tetapi tidak tercantum di daftar "
            "mana pun, Anda tetap bisa memilih: datang dengan KTP-el ke TPS di RT/RW sesuai alamat "
            "KTP-el Anda, {hours}, selama surat suara masih tersedia (DPK)."
        ),
        "rules": "Aturan: {regulation}.",
        "dptb_unknown": (
            "Akan memilih di tempat lain (pindah domisili, sakit, bertugas)? Tanyakan pindah memilih "
            "(DPTb) ke PPS; batas waktunya diumumkan KPU."
        ),
        "print_hint": "Simpan atau cetak halaman ini untuk dibawa ke TPS.",
    },
    "en": {
        "title": "Voter Registration Check",
        "lead": "Are you on the final voter list (DPT), and at which polling station (TPS) do you vote?",
        "switch": "Bahasa Indonesia",
        "nik_heading": "Check with your NIK",
        "nik_label": "NIK (16 digits, as on your KTP-el)",
        "nik_hint": "Spaces are fine. Your NIK is not stored and never appears in the page address.",
        "check": "Check",
        "name_heading": "Search by name",
        "name_label": "Full name",
        "born_label": "Date of birth",
        "kabkota_label": "Regency/city",
        "choose_kabkota": "Choose",
        "region_label": "District / village",
        "whole_kabkota": "The whole regency/city",
        "search": "Search",
        "registered": "You are on the voter list",
        "name": "Name",
        "tps": "Polling station",
        "address": "Polling station address",
        "map": "Show on a map (OpenStreetMap)",
        "region": "Area",
        "election": "Election",
        "when": "Date and hours",
        "hours": "from 07:00 to 13:00 local time",
        "bring": "Bring your KTP-el. The notification letter (C6) is not required to vote.",
        "not_registered": "This NIK is not on the voter list",
        "not_registered_help": (
            "This NIK is not in the published voter list. Check the digits again. If they are right and "
            "you are eligible to vote, visit the voting committee (PPS) at your kelurahan/village "
            "office with your KTP-el and family card (KK)."
        ),
        "moved_help": (
            "Moved house? Ask the PPS or the KPU of your regency/city to register you as a moved voter "
            "(DPTb) no later than 30 days before polling day."
        ),
        "helpdesk": "Need help? Visit the help desk at your kelurahan, or send an SMS: CHECK <NIK>.",
        "again": "Check another NIK",
        "back": "Back to the form",
        "date_unknown": "date to be announced by the KPU",
        "error_heading": "Please check what you entered",
        "results_heading": "Search results",
        "results_lead": "Names are masked to protect personal data.",
        "none_found": "No matching voter found",
        "none_found_help": (
            "Check the spelling of the name, the date of birth and the area, or check with your NIK. "
            "Old spellings (Soeharto, Djoko) and titles need not be exact."
        ),
        "busy_heading": "The service is very busy",
        "busy_help": "Many people are checking right now. Please try again in {seconds} seconds.",
        "limited_heading": "Too many requests",
        "limited_help": "Please try again in {minutes} minutes.",
        "not_found_heading": "Page not found",
        "not_found_help": (
            "There is no page at this address. From the start page you can check a NIK or search by name."
        ),
        "refused_heading": "Request refused",
        "fault_heading": "Something went wrong",
        "score": "match",
        "likely": "most likely you",
        "kelurahan": "Kel.",
        "kecamatan": "Kec.",
        "privacy": "This service does not store your NIK and uses no scripts or fonts from anyone else.",
        "hours_local": "from {start} to {end} {zone}",
        "local_time": "local time",
        "geo": "Open in the phone's map app",
        "assist": (
            "Voters with a disability may bring an assistant of their own choice into the TPS, and "
            "the KPPS officers must help when asked."
        ),
        "access_heading": "Access to the polling station",
        "step_free": "Reachable without steps",
        "not_step_free": "There are steps",
        "ground_floor": "On the ground floor",
        "not_ground_floor": "Not on the ground floor",
        "check_digits": "Check the 16 digits of the NIK on your KTP-el, then check once more.",
        "pps_help": (
            "If the digits are right and you are eligible (17 on polling day, or married now or "
            "before), report to the voting committee (PPS) at your kelurahan/village office with your "
            "KTP-el and family card (KK)."
        ),
        "dptb_moving": (
            "Voting elsewhere because you moved house, study or work there? Ask the PPS or the KPU of "
            "your regency/city to move you (DPTb) no later than {date}."
        ),
        "dptb_urgent": (
            "Sick or in hospital, hit by a disaster, detained, or on duty elsewhere on polling day? "
            "Ask to vote elsewhere (DPTb) no later than {date}."
        ),
        "dpk_help": (
            "On polling day{day}, if you are eligible but on no list at all, you can still vote: go "
            "with your KTP-el to a TPS of the RT/RW of the address on your KTP-el, {hours}, while "
            "ballots last (DPK)."
        ),
        "rules": "Rules: {regulation}.",
        "dptb_unknown": (
            "Voting elsewhere (moved, sick, on duty)? Ask the PPS about moving your vote (DPTb); the "
            "KPU announces the deadline."
        ),
        "print_hint": "Save or print this page to take to the polling station.",
    },
}
