"""REST transport helpers shared by every context's endpoints (DRF)."""
