"""The resident page channel: plain HTML forms for a NIK check and a name search, in Bahasa
Indonesia and English, with no script and no NIK in any URL."""
