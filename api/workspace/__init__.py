"""The staff workspace: pages where the secretariat, agency officers and
union auditors sign in and do their work. `core` holds the session, CSRF and
sign-in; each role's pages are a module that adds its routes to `core.blp`."""

from api.workspace import (  # noqa: F401  (routes)
    agencies,
    auditor,
    officer,
    published,
    secretariat,
)
from api.workspace.core import blp, configure

__all__ = ["blp", "configure"]
