"""Models of this unit: they point at the shared ones in clients.models, never copy them."""
