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
# Recycle workers now and then, so that a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
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
