app_name = "spiralen"

urlpatterns = []
