"""The ``Directory`` service object: one instance of each directory service over shared dependencies."""

from __future__ import annotations

from yunmail.clock import Clock
from yunmail.config import Settings
from yunmail.directory.administrators import Administrators
from yunmail.directory.contacts import Contacts
from yunmail.directory.context import Argon2idHasher, DirectoryContext, MailboxStorage, PasswordHasher
from yunmail.directory.departments import Departments
from yunmail.directory.enterprises import Enterprises
from yunmail.directory.excel_import import ExcelImport
from yunmail.directory.excel_template import ImportLimits
from yunmail.directory.groups import Groups
from yunmail.directory.identities import Identities
from yunmail.directory.invitations import Invitations
from yunmail.directory.mailboxes import Mailboxes
from yunmail.directory.members import Members
from yunmail.directory.model import AuditEntry
from yunmail.directory.recipients import Recipients
from yunmail.directory.recycle_bin import RecycleBinWorker
from yunmail.directory.shared import Aliases, SharedMailboxes
from yunmail.storage import Database
from yunmail.storage.repos import audit


class Directory:
    """Enterprises, departments, members, mailboxes, groups and recipient lookup, built once by the runtime.

    ``storage`` is the mail store (``provision``/``purge_mailbox``); ``hasher`` defaults to argon2id;
    ``import_limits`` bounds one Excel import (rows, bytes).
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        storage: MailboxStorage,
        *,
        hasher: PasswordHasher | None = None,
        import_limits: ImportLimits | None = None,
    ) -> None:
        self._ctx = DirectoryContext(
            db=db, clock=clock, settings=settings, storage=storage, hasher=hasher or Argon2idHasher()
        )
        self.enterprises = Enterprises(self._ctx)
        self.departments = Departments(self._ctx)
        self.members = Members(self._ctx)
        self.mailboxes = Mailboxes(self._ctx)
        self.shared_mailboxes = SharedMailboxes(self._ctx, self.mailboxes)
        self.aliases = Aliases(self._ctx)
        self.groups = Groups(self._ctx)
        self.recipients = Recipients(db)
        self.identities = Identities(db)
        self.recycle_bin = RecycleBinWorker(self._ctx, self.mailboxes)
        self.administrators = Administrators(self._ctx)
        self.invitations = Invitations(self._ctx, self.administrators)
        self.contacts = Contacts(self._ctx, self.members)
        self.imports = ExcelImport(self._ctx, self.departments, self.members, limits=import_limits)

    async def audit_log(
        self, enterprise_id: int | None, *, limit: int = 100, offset: int = 0
    ) -> tuple[AuditEntry, ...]:
        """Newest first, after skipping ``offset``; None lists platform-level entries (e.g. dissolutions)."""
        async with self._ctx.db.read() as conn:
            rows = await audit.entries(
                conn, enterprise_id, limit=max(1, min(limit, 1000)), offset=max(0, offset)
            )
        return tuple(AuditEntry.from_row(r) for r in rows)
