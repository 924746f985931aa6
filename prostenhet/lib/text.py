import unicodedata


def fold(text):
    """Lower-case without diacritics, for case- and accent-insensitive prefix search
    ("Åsa" and "asa" fold alike)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()
