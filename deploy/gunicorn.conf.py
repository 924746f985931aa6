"""gunicorn's configuration for Prostitutionsenheten (docs/deploy.md): `gunicorn -c
deploy/gunicorn.conf.py prostenhet.wsgi`. Every value can be overridden from the environment
of the service (systemd's EnvironmentFile) without editing this file."""

import multiprocessing
import os

# Behind the TLS reverse proxy on the same host; the proxy alone is reachable from outside.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the pages are short and CPU-bound (templates, permission checks); two per core
# is the measured sweet spot on the 2-core reference machine.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "sync"
# A request that takes longer than this is killed and logged (none should take a second).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# The app is loaded once, in the master, and each worker is forked from it: a new or
# recycled worker serves at once instead of spending about two seconds of CPU importing
# Django and the apps while its share of the requests waits. Code changes therefore take a
# restart (a release restarts the service), not a HUP.
preload_app = True
# Recycle workers now and then, so that a slow leak never grows without bound: at 50
# requests a second, each of two workers about every seven minutes.
max_requests = 10000
max_requests_jitter = 1000

# The proxy's keep-alive connections.
keepalive = 5
# Logs to stdout/stderr, collected by journald and shipped from there; the access log carries
# the request id the app sets (X-Request-ID) and never a query string (identity numbers are
# never in a URL, and a search is a POST).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'
# The forwarded scheme and address are trusted from the local proxy only.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "prostenhet"


def pre_fork(server, worker):
    """No database connection crosses a fork: a socket shared by two processes would mix
    their queries. Loading the app opens none; this closes any that something opened."""
    from django.db import connections

    connections.close_all()
