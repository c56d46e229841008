"""Test package; settings every test shares."""

import os

# A ledger in PostgreSQL requires its audit key outside the database; tests use a fixed one.
os.environ.setdefault("AIDF_AUDIT_KEY", "test-audit-key-not-secret")
