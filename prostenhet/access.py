"""The access policy (DESIGN §3): the one module that decides who may see and do what.

Roles (Django groups with model permissions) decide what a person may do; object permissions
(django-guardian, granted and revoked only here) decide which records. Views only ask, through
the helpers below: out of scope answers 404, in scope but too few rights answers 403."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404

from .models import User

# Staff administration is a role permission of the system administrator.
staff_admin_required = permission_required("prostenhet.manage_staff", raise_exception=True)


def get_staff_or_404(public_id):
    """A staff account by its opaque id, with roles and units loaded."""
    return get_object_or_404(User.objects.with_roles(), public_id=public_id)
