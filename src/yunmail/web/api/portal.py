"""Assembles the api routes and UI strings from the area modules."""

from __future__ import annotations

from fastapi import APIRouter

from yunmail.web.api import (
    administrators as _administrators,
)
from yunmail.web.api import (
    aliases as _aliases,
)
from yunmail.web.api import (
    audit as _audit,
)
from yunmail.web.api import (
    departments as _departments,
)
from yunmail.web.api import (
    domains as _domains,
)
from yunmail.web.api import (
    enterprises as _enterprises,
)
from yunmail.web.api import (
    groups as _groups,
)
from yunmail.web.api import (
    imports as _imports,
)
from yunmail.web.api import (
    mailboxes as _mailboxes,
)
from yunmail.web.api import (
    members as _members,
)
from yunmail.web.api import (
    recycle_bin as _recycle_bin,
)
from yunmail.web.api import (
    shared_mailboxes as _shared_mailboxes,
)
from yunmail.web.api import (
    tokens as _tokens,
)

_RESOURCES = (
    _administrators,
    _aliases,
    _audit,
    _departments,
    _domains,
    _enterprises,
    _groups,
    _imports,
    _mailboxes,
    _members,
    _recycle_bin,
    _shared_mailboxes,
    _tokens,
)


def router() -> APIRouter:
    combined = APIRouter(prefix="/api/v1")
    for resource in _RESOURCES:
        combined.include_router(resource.router())
    return combined
