from urllib.parse import unquote_plus

from django.conf import settings

from .audit import may_hold_identity_number
from .navigation import sections_for


def layout(request):
    """What the base layout needs: the demo banner, the user's navigation and its current
    section, the CSRF cookie's name for the page's script, and the fields of a form kept when
    the session ended (prostenhet/keptforms.py) for the script to put back."""
    user = getattr(request, "user", None)
    sections = sections_for(user) if user and user.is_authenticated else []
    return {
        # The name of the CSRF cookie, for static/js/app.js (__Host-csrftoken with HTTPS).
        "CSRF_COOKIE_NAME": settings.CSRF_COOKIE_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        "TWO_FACTOR_REQUIRED": settings.TWO_FACTOR_REQUIRED,
        "nav_sections": sections,
        "nav_active": active_section(request, sections),
        "current_path": current_path(request),
        "kept_form": getattr(request, "kept_form", None),
    }


def active_section(request, sections):
    """The url_name of the navigation section the current page belongs to ("start" for the
    start page), or None. A page belongs to the section whose page it is; else to the section
    whose address is the longest prefix of its own (/klienter/sammanslagningar/3/angra/ to
    /klienter/sammanslagningar/); else to the one section of its URL namespace, if there is
    exactly one. No queries: it reads the resolved URL and the sections' addresses."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    if match.view_name == "start":
        return "start"
    names = [section.url_name for section in sections]
    if match.view_name in names:
        return match.view_name
    paths = {section.url_name: section.path for section in sections}
    within = [name for name in names if request.path.startswith(paths[name])]
    if within:
        return max(within, key=lambda name: len(paths[name]))
    same_namespace = [name for name in names if name.rpartition(":")[0] == match.namespace]
    return same_namespace[0] if len(same_namespace) == 1 else None


def current_path(request):
    """The page's address for the language switch to come back to: without its query when
    the query may hold an identity number (a refused filter), so the page never repeats it."""
    query = request.META.get("QUERY_STRING", "")
    if may_hold_identity_number(unquote_plus(query).replace("page=", "")):
        return request.path
    return request.get_full_path()
