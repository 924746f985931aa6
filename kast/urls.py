from .views import calls, clients, outreach

app_name = "kast"

urlpatterns = [*calls.urlpatterns, *clients.urlpatterns, *outreach.urlpatterns]
