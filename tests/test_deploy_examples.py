"""The deployment examples (docs/deploy.md) are at least well-formed and say what the guide
says: gunicorn's configuration runs and binds locally, the systemd unit starts it with that
configuration, and the proxy terminates TLS, forwards the scheme and probes /healthz."""

import configparser
import re
import runpy
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def test_the_gunicorn_configuration_runs_and_binds_locally(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["bind"] == "127.0.0.1:8000"
    assert config["workers"] >= 2 and config["worker_class"] == "sync"
    assert config["timeout"] > 0 and config["accesslog"] == "-"
    # The app is loaded before the fork, and no database connection crosses it.
    assert config["preload_app"] is True and callable(config["pre_fork"])
    assert "x-request-id" in config["access_log_format"]
    # gunicorn accepts every name the file sets.
    from gunicorn.config import Config

    known = set(Config().settings)
    names = {name for name in config if not name.startswith("_")
             and name not in {"multiprocessing", "os"}}
    assert names <= known, names - known


def test_the_systemd_unit_starts_gunicorn_with_that_configuration():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(DEPLOY / "prostenhet.service")
    assert {"Unit", "Service", "Install"} <= set(unit.sections())
    service = unit["Service"]
    assert "gunicorn" in service["ExecStart"]
    assert "deploy/gunicorn.conf.py" in service["ExecStart"]
    assert service["ExecStart"].endswith("prostenhet.wsgi")
    assert service["EnvironmentFile"].startswith("/etc/prostenhet/")
    assert service["User"] != "root"


def test_the_proxy_snippet_is_balanced_and_forwards_what_the_app_needs():
    text = (DEPLOY / "nginx-prostenhet.conf").read_text()
    code = re.sub(r"#.*", "", text)
    assert code.count("{") == code.count("}")
    # Every directive ends with ";" or opens a block.
    for line in code.splitlines():
        line = line.strip()
        if line and not line.endswith(("{", "}", ";")):
            assert line.endswith("'") or line.startswith("'"), line
    assert "ssl_certificate " in code and "listen 443 ssl" in code
    assert "proxy_set_header X-Forwarded-Proto https" in code
    assert "proxy_set_header X-Forwarded-For $remote_addr" in code
    assert "location = /healthz" in code
    assert "$request_uri" not in code.split("log_format", 1)[1].split(";", 1)[0]


def test_the_guide_names_the_examples_and_the_probes():
    guide = (DEPLOY.parent / "docs" / "deploy.md").read_text()
    for name in ("gunicorn.conf.py", "prostenhet.service", "nginx-prostenhet.conf", "/healthz",
                 "/readyz", "migrate", "create_sysadmin", "pg_dump"):
        assert name in guide
