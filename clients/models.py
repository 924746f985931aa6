"""The shared models every unit builds on (DESIGN §2): client, enrollment, consent, journal,
booking, visit, referral."""
