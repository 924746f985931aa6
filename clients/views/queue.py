"""The counselling queue's screens."""

urlpatterns = []
