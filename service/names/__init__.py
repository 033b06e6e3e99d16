"""Indonesian personal names: masking for public answers (and, later, search keys)."""
