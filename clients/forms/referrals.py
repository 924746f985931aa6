"""Forms for referrals (see clients/views/referrals.py)."""
