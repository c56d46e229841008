"""Account keys of the meters (built in aidf.meters, the one place an account is named)."""

from aidf.meters import KINDS, license_account

__all__ = ["KINDS", "license_account"]
