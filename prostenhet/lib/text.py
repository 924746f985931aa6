import unicodedata


def fold(text):
    """Lower-case without diacritics, for case- and accent-insensitive prefix search
    ("Åsa" and "asa" fold alike)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def phone_digits(phone):
    """A phone number as digits only, Swedish national form ("+46 70-123 45 67" and
    "070 123 45 67" both give "0701234567"), for search."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    if (phone or "").strip().startswith("+46") or digits.startswith("0046"):
        digits = "0" + digits.removeprefix("00").removeprefix("46")
    return digits
