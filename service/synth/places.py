"""Place data: birthplaces by group, where migrants' NIKs come from, province centres, streets and mosques."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from service.synth.words import wordlist

if TYPE_CHECKING:
    from service.synth.families import Group


LAMPUNG_PLACES: Final = wordlist(
    "METRO LAMPUNG_TENGAH LAMPUNG_TENGAH LAMPUNG_TIMUR LAMPUNG_TIMUR BANDAR_LAMPUNG TANJUNG_KARANG"
    " PRINGSEWU LAMPUNG_SELATAN KOTABUMI TULANG_BAWANG GUNUNG_SUGIH SEKAMPUNG"
)
JAVA_PLACES: Final = wordlist(
    "SLEMAN KLATEN BOYOLALI KEDIRI BANYUMAS KEBUMEN PURWOREJO WONOGIRI SRAGEN BLITAR TULUNGAGUNG"
    " MADIUN PONOROGO YOGYAKARTA SURAKARTA SEMARANG BANTUL KULON_PROGO GUNUNG_KIDUL BOJONEGORO NGAWI"
    " TRENGGALEK MAGELANG TEMANGGUNG CILACAP KARANGANYAR SUKOHARJO PATI JEPARA TEGAL PEKALONGAN MALANG"
    " JAKARTA"
)
ORIGINS: Final[dict[Group, tuple[str, ...]]] = {
    "jawa": JAVA_PLACES,
    "islam": JAVA_PLACES + wordlist("JAKARTA PALEMBANG LAMPUNG_UTARA SERANG CIREBON SURABAYA"),
    "lampung": wordlist(
        "LAMPUNG_UTARA LAMPUNG_BARAT TULANG_BAWANG MENGGALA KOTABUMI LIWA KRUI TANGGAMUS WAY_KANAN"
        " PALEMBANG PADANG BUKITTINGGI BENGKULU BATURAJA LAMPUNG_TENGAH"
    ),
    "bali": wordlist("KLUNGKUNG KARANGASEM GIANYAR BULELENG TABANAN BANGLI DENPASAR JEMBRANA BADUNG"),
    "batak": wordlist(
        "TAPANULI_UTARA MEDAN PEMATANG_SIANTAR TOBA_SAMOSIR SIBOLGA TARUTUNG BALIGE PADANG_SIDEMPUAN"
        " TAPANULI_SELATAN DAIRI KABANJAHE"
    ),
    "tionghoa": wordlist(
        "TELUK_BETUNG TANJUNG_KARANG JAKARTA PALEMBANG PANGKAL_PINANG SEMARANG MEDAN BANDAR_LAMPUNG"
    ),
    "sunda": wordlist("BANDUNG GARUT TASIKMALAYA CIAMIS SUKABUMI CIANJUR SERANG SUMEDANG KUNINGAN BOGOR"),
}
# Kab/kota whose kecamatan codes appear in NIKs brought by people who moved: Lampung and Java.
ELSEWHERE_KABKOTA: Final = (
    "18.01",
    "18.02",
    "18.03",
    "18.05",
    "18.07",
    "18.09",
    "18.10",
    "18.12",
    "18.71",
    "18.72",
    "34.01",
    "34.02",
    "34.03",
    "34.04",
    "33.02",
    "33.05",
    "33.06",
    "33.08",
    "33.09",
    "33.10",
    "33.11",
    "33.12",
    "33.13",
    "33.14",
    "35.02",
    "35.04",
    "35.05",
    "35.06",
    "35.19",
    "32.04",
)
# Rough province centres (lat, lon); a kab/kota other than Kota Metro is placed near its province.
PROVINCE_CENTRES: Final = {
    "11": (4.7, 96.7),
    "12": (2.1, 99.5),
    "13": (-0.7, 100.8),
    "14": (0.3, 101.7),
    "15": (-1.6, 103.6),
    "16": (-3.3, 104.0),
    "17": (-3.8, 102.3),
    "18": (-4.9, 105.0),
    "19": (-2.7, 106.4),
    "21": (0.9, 104.5),
    "31": (-6.2, 106.85),
    "32": (-6.9, 107.6),
    "33": (-7.15, 110.1),
    "34": (-7.8, 110.4),
    "35": (-7.5, 112.2),
    "36": (-6.4, 106.1),
    "51": (-8.4, 115.2),
    "52": (-8.6, 117.4),
    "53": (-8.7, 121.1),
    "61": (-0.1, 111.1),
    "62": (-1.7, 113.4),
    "63": (-3.1, 115.3),
    "64": (0.5, 116.4),
    "65": (3.0, 116.2),
    "71": (1.0, 124.5),
    "72": (-1.4, 121.4),
    "73": (-3.7, 120.0),
    "74": (-4.1, 122.2),
    "75": (0.7, 122.4),
    "76": (-2.8, 119.2),
    "81": (-3.2, 130.1),
    "82": (1.6, 127.8),
    "91": (-2.5, 139.0),
    "92": (-1.3, 133.2),
    "93": (-7.0, 139.5),
    "94": (-3.8, 136.3),
    "95": (-4.1, 138.9),
    "96": (-1.0, 131.5),
}

STREETS: Final = wordlist(
    "Jend. Sudirman|Ahmad Yani|Diponegoro|Imam Bonjol|Ki Hajar Dewantara|Pattimura|Hasanuddin|R.A. Kartini"
    "|Cut Nyak Dien|KH. Ahmad Dahlan|KH. Hasyim Asyari|Soekarno-Hatta|Yos Sudarso|Gatot Subroto"
    "|Jend. A.H. Nasution|Raden Intan|Pangeran Antasari|Teuku Umar|Wahid Hasyim|Dr. Sutomo|Dr. Wahidin"
    "|Sisingamangaraja|Pemuda|Merdeka|Pahlawan|Veteran|Kenanga|Mawar|Melati|Anggrek|Flamboyan|Cempaka"
    "|Dahlia|Kamboja|Seroja|Teratai|Nusa Indah|Bougenville|Cendana|Mahoni|Jati|Beringin|Durian|Rambutan"
    "|Mangga|Jambu|Nangka|Kelapa|Sawo|Manggis|Budi Utomo|Sumpah Pemuda|Proklamasi|Pramuka"
    "|Perintis Kemerdekaan|Pendidikan|Stadion|Lada|Cengkeh|Merapi|Semeru|Bromo|Lawu|Rinjani|Kerinci"
    "|Way Sekampung|Way Seputih|Nuri|Merpati|Kutilang|Cendrawasih|Rajawali|Garuda|Elang|Kenari|Jalak"
    "|Arjuna|Nakula|Sadewa|Gatotkaca|Sunan Kalijaga|Sunan Ampel|Sunan Bonang|Sunan Gunung Jati",
    "|",
)
GANG: Final = wordlist(
    "Mawar Masjid Musala Damai Sejahtera Rukun Harapan Bahagia Sepakat Melati Kelapa Pelita Swadaya"
)
PERUM: Final = wordlist("Asri Indah Permai Mandiri Sejahtera Persada Harapan Kencana")
MOSQUES: Final = wordlist(
    "Al-Ikhlas|Al-Falah|Baiturrahman|Nurul Huda|At-Taqwa|Al-Hidayah|Baitul Makmur|Nurul Iman|Al-Muttaqin"
    "|Darussalam|Al-Muhajirin|Baitussalam|Nurul Islam|Al-Amin",
    "|",
)
ROMAN: Final = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
)
