app_name = "kast"

urlpatterns = []
