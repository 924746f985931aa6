from django.conf import settings

from .navigation import sections_for


def layout(request):
    """What the base layout needs: the demo banner and the user's navigation."""
    user = getattr(request, "user", None)
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "TWO_FACTOR_REQUIRED": settings.TWO_FACTOR_REQUIRED,
        "nav_sections": sections_for(user) if user and user.is_authenticated else [],
    }
