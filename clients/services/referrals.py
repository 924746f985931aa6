"""Referrals between units: sent, accepted or declined, done, or withdrawn by the sender."""
