"""Forms for counselling (see clients/views/counselling.py)."""
