"""The brands app's reads, for other apps and the portal's areas: re-exported from the
sub-package that owns each."""

from .access import memberships_of

__all__ = ["memberships_of"]
