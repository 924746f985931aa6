"""The office assistant's day: today's bookings, the waiting room and arrivals (booked,
drop-in, anonymous), and the practitioner's arrivals."""

urlpatterns = []
