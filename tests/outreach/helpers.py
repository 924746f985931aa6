"""The outreach pages' URL arguments made from the world (the rows for
tests/test_access_matrix.py KWARGS), and what each role gets on a GET of each page."""

from datetime import timedelta

from django.utils import timezone

from prostenhet.roles import Role

OA, OW, CO, CL, MA, SA = (
    Role.OFFICE_ASSISTANT, Role.OUTREACH_WORKER, Role.COUNSELLOR,
    Role.CLINICIAN, Role.MANAGER, Role.SYSADMIN,
)


def a_shift(w):
    """An open shift of the outreach worker, with a contact with Olle and one under a
    nickname."""
    from outreach import services as outreach

    now = timezone.now()
    shift = outreach.open_shift(starts_at=now - timedelta(hours=1),
                                ends_at=now + timedelta(hours=3), staff=[w.ow], by=w.ow)
    outreach.add_contact(shift, by=w.ow, first_contact=False, client=w.olle)
    outreach.add_contact(shift, by=w.ow, first_contact=False, nickname="Blondie")
    return {"shift_id": shift.public_id}


def a_nickname(w):
    from outreach.models import Nickname

    a_shift(w)
    return {"nickname_id": Nickname.objects.get(name="Blondie").public_id}


def olle(w):
    return {"client_id": w.olle.public_id}


def an_internet_session(w):
    from outreach import services as outreach

    session = outreach.save_internet_session(by=w.ow, date=timezone.localdate(), staff=[w.ow],
                                             sites="Annonssida A", ads_reviewed=10)
    return {"session_id": session.public_id}


def an_email_template(w):
    from outreach import services as outreach

    template = outreach.save_email_template(by=w.ow, name="Första mejlet", language="sv",
                                            subject="Hej", body="Vi finns här.")
    return {"pk": template.pk}


KWARGS = {
    "outreach:shift-detail": a_shift,
    "outreach:shift-edit": a_shift,
    "outreach:shift-close": a_shift,
    "outreach:contact-create": a_shift,
    "outreach:client-search": a_shift,
    "outreach:nickname-register": a_nickname,
    "outreach:client": olle,
    "outreach:support-create": olle,
    "outreach:internet-edit": an_internet_session,
    "outreach:template-edit": an_email_template,
}

# GET status per role (anonymous: login, half: OTP, as every page). Every page is the outreach
# team's: the outreach worker's; everyone else lacks the role's permission (403). The contact
# and search URLs take POSTs; a GET goes back to the shift page (302).
MATRIX = {
    name: {OW: status, OA: 403, CO: 403, CL: 403, MA: 403, SA: 403}
    for name, status in {
        "outreach:shift-list": 200,
        "outreach:shift-create": 200,
        "outreach:shift-detail": 200,
        "outreach:shift-edit": 200,
        "outreach:shift-close": 200,
        "outreach:contact-create": 302,
        "outreach:client-search": 302,
        "outreach:nickname-list": 200,
        "outreach:nickname-register": 200,
        "outreach:client": 200,
        "outreach:support-create": 200,
        "outreach:internet-list": 200,
        "outreach:internet-create": 200,
        "outreach:internet-edit": 200,
        "outreach:address-check": 200,
        "outreach:template-list": 200,
        "outreach:template-create": 200,
        "outreach:template-edit": 200,
        "outreach:talk-list": 200,
        "outreach:talk-create": 200,
    }.items()
}
