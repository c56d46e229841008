"""Build-time helpers of the service (not imported at run time)."""
