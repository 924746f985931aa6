import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from prostenhet.management.commands.seed_demo import DEMO_PASSWORD, DEMO_STAFF
from prostenhet.models import Unit, User
from prostenhet.roles import ROLE_PERMISSIONS, Role, UnitCode

pytestmark = pytest.mark.django_db


def test_the_six_roles_exist_with_exactly_their_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        actual = {
            f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()
        }
        assert actual == set(perms), role


def test_the_five_units_exist():
    assert set(Unit.objects.values_list("code", flat=True)) == {u.value for u in UnitCode}


def test_seed_demo_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="demoläge"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_creates_one_account_per_role_and_is_idempotent(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert User.objects.count() == len(DEMO_STAFF)
    expected = {
        "assistent", "uppsokare", "behandlare", "kastbehandlare",
        "barnmorska", "gynekolog", "lakare", "chef", "admin",
    }
    assert set(User.objects.values_list("username", flat=True)) == expected
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)
        assert len(user.roles) == 1
        assert not user.must_change_password  # demo accounts go straight in
    assert {r for u in User.objects.all() for r in u.roles} == set(Role)
    kast = User.objects.get(username="kastbehandlare")
    assert [u.code for u in kast.units.all()] == ["kast"]
    assert User.objects.get(username="lakare").profession == "physician"


def test_create_sysadmin_makes_a_staff_account_with_the_role(monkeypatch):
    answers = iter(["ett-langt-losenord-for-admin", "ett-langt-losenord-for-admin"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    call_command("create_sysadmin", "forvaltare")
    user = User.objects.get(username="forvaltare")
    assert user.roles == [Role.SYSADMIN]
    assert not user.is_superuser
    assert user.check_password("ett-langt-losenord-for-admin")
    assert not user.must_change_password  # they chose the password themselves


def test_create_sysadmin_refuses_a_weak_password(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "kort")
    with pytest.raises(CommandError, match="minst 12 tecken"):
        call_command("create_sysadmin", "forvaltare")
    assert not User.objects.filter(username="forvaltare").exists()


def test_seed_demo_adds_clients_across_the_units_once(settings):
    from clients.models import Client, EmergencyAccess, Enrollment, JournalEntry, Register
    from prostenhet.roles import UnitCode

    settings.DEMO_MODE = True
    call_command("seed_demo")
    count = Client.objects.count()
    call_command("seed_demo")
    assert Client.objects.count() == count
    # The named clients of today's work, and the years of history behind the statistics
    # (the clinic's code-named patients, KAST's and trafficking's former clients).
    assert count >= 35
    assert set(Enrollment.objects.values_list("unit", flat=True)) == set(UnitCode.values)
    # The year before last is closed once, by the demo manager, with every unit's figures.
    from django.utils import timezone

    from prostenhet.models import ClosedYear

    closing = ClosedYear.objects.get(year=timezone.localdate().year - 2)
    assert closing.closed_by.username == "chef"
    assert {table["unit"] for table in closing.tables} >= set(UnitCode.values)
    assert Client.objects.filter(protected_identity=True).count() == 1
    assert Client.objects.filter(register=Register.KAST).exists()
    assert EmergencyAccess.objects.count() == 1
    assert JournalEntry.objects.signed().exists()
    assert JournalEntry.objects.filter(state="draft").exists()
    with_number = Client.objects.exclude(identity_number="")
    numbers = set(with_number.values_list("identity_number", flat=True))
    from pathlib import Path

    allowed = set((Path(__file__).parents[1] / "data" / "testpersonnummer.txt").read_text().split())
    assert numbers and numbers <= allowed  # only Skatteverket's test numbers
