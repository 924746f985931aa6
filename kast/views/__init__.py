"""KAST's views, one module per part (each lists its own urlpatterns): calls, clients and
outreach (buyers reached)."""
