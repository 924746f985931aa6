def mask_all(value):
    """django-auditlog's mask: hide the whole value, not half of it."""
    return "*" * len(str(value)) if value else value
