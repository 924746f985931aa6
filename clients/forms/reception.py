"""Forms for reception (see clients/views/reception.py)."""
