"""`make bench`: the benchmark generates its data and keeps it with a plan of its pages, times
them again from that plan, and the load test runs a working day against a real server
(gunicorn and Locust) on it."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from prostenhet.models import AccessLog, User

SCALE = 0.002  # a dozen clients: the shape of the data, not its size


def generate(tmp_path, **options):
    plan = tmp_path / "plan.json"
    call_command("benchmark", scale=SCALE, requests=1, keep=True, plan=str(plan), **options)
    return plan, json.loads(plan.read_text())["pages"]


@pytest.mark.django_db
def test_the_kept_data_has_a_plan_of_every_page_with_its_account(tmp_path, capsys):
    plan, pages = generate(tmp_path)
    labels = [page["label"] for page in pages]
    for label in ["bare page (password change)", "journal", "today panel refresh",
                  "follow-up list", "statistics, last year", "access log",
                  "access log of one client", "autosave a draft"]:
        assert label in labels
    assert len(labels) == len(set(labels))
    for page in pages:
        assert User.objects.filter(username=page["username"]).exists(), page
    autosave = next(page for page in pages if page["label"] == "autosave a draft")
    assert set(autosave["autosave"]) == {"kind", "event_date", "editor"}
    # Timed again from the plan, on the data kept: every page answers 200 (or it stops).
    capsys.readouterr()
    call_command("benchmark", time_plan=str(plan), requests=1)
    timed = capsys.readouterr().out
    assert all(label in timed for label in labels)


@pytest.mark.django_db
def test_a_plan_needs_the_data_kept(tmp_path):
    with pytest.raises(CommandError, match="--keep"):
        call_command("benchmark", scale=SCALE, requests=1, plan=str(tmp_path / "plan.json"))


@pytest.mark.django_db
def test_the_access_log_is_spread_over_ten_years_of_working_days(tmp_path):
    generate(tmp_path, access_log_rows=3650)
    reads = AccessLog.objects.filter(view="clients:client-detail", detail="")
    assert reads.count() >= 3650
    first, last = reads.order_by("at").first().at, reads.order_by("at").last().at
    assert (last - first).days >= 3640
    assert not reads.filter(local_weekday__gte=6).exists()
    assert reads.filter(off_hours=True).count() == pytest.approx(3650 / 50, abs=2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the load test runs on PostgreSQL"
)
def test_the_load_test_logs_in_for_real_and_reports_every_page(tmp_path, capsys):
    plan, pages = generate(tmp_path)
    capsys.readouterr()
    call_command(
        "loadtest", plan=str(plan), rate=6, duration=6, users=3, steps="", workers=1,
        port=8197, out=str(tmp_path),
    )
    out = capsys.readouterr().out
    assert "gunicorn, 1 workers" in out
    assert "highest rate with p95 below 200 ms and no error" in out
    # Every virtual user logged in (else the command stops), and pages were served without an
    # error: the "all" line's request count, then p50, p95, p99 and the errors.
    total = next(line for line in out.splitlines() if line.startswith("all "))
    requests, *_percentiles, errors = total.split("(")[0].split()[1:6]
    assert int(requests) > 0 and errors == "0"
    # The summary's row at the rate: the workers' own p50/p95, read from gunicorn's access
    # log over the measured period (a request takes at least a millisecond, p95 >= p50).
    row = next(line for line in out.splitlines() if line.split()[:1] == ["6"])
    in_worker_p50, in_worker_p95 = (int(n) for n in row.split()[-1].split("/"))
    assert 0 < in_worker_p50 <= in_worker_p95
    # The runtime plan with the accounts' passwords is gone.
    assert not (tmp_path / "load-plan.json").exists()
