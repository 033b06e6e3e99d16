"""The JSON API channel: NIK lookups, name search, health and metrics."""
