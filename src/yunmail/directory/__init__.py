"""The tenant model: enterprises, departments, members, mailbox lifecycle, shared mailboxes, aliases, groups,
administrators and their invitations, batch import from Excel.

Public API: build one ``Directory`` (the runtime does) and call its services; the values and rules
are in ``model``. Every entry point takes an explicit ``enterprise_id`` and treats another
enterprise's ids as missing, except the few lookups keyed by something platform-wide:
``Directory.recipients.resolve`` (addresses), ``Directory.invitations.accept`` (the link's token) and
``Directory.administrators.verify_admin_password`` (administrator logins are globally unique).
"""

from yunmail.directory.administrators import (
    Administrator,
    AdministratorEntry,
    Administrators,
    Invitation,
)
from yunmail.directory.contacts import ContactDraft, ContactImport, Contacts, PersonalContact
from yunmail.directory.context import Argon2idHasher, MailboxStorage, PasswordHasher
from yunmail.directory.departments import Departments
from yunmail.directory.enterprises import DISSOLVE_CONFIRMATION_TTL, Enterprises
from yunmail.directory.excel_import import (
    ExcelImport,
    ImportPreview,
    ImportResult,
    ImportRow,
    RowError,
    SupersededRow,
)
from yunmail.directory.excel_template import ImportLimits, template_xlsx
from yunmail.directory.groups import Groups
from yunmail.directory.identities import HostedDomain, Identities, SendAsAddress, SenderIdentities
from yunmail.directory.invitations import Invitations, IssuedInvitation, invitation_link_path
from yunmail.directory.mailboxes import Mailboxes
from yunmail.directory.members import KEEP, Keep, Members
from yunmail.directory.model import (
    ROLES,
    STAFF_TYPES,
    AddressSuggestion,
    Alias,
    AuditEntry,
    BatchOpenResult,
    Department,
    DepartmentNode,
    DissolveConfirmation,
    Enterprise,
    Group,
    Mailbox,
    Member,
    NewMember,
    Page,
    Recipient,
    RecycledMailbox,
    SharedMailbox,
    default_local_part,
    is_sms_phone,
    normalise_phone,
)
from yunmail.directory.recipients import Recipients
from yunmail.directory.recycle_bin import RecycleBinWorker
from yunmail.directory.service import Directory
from yunmail.directory.shared import Aliases, SharedMailboxes

__all__ = [
    "DISSOLVE_CONFIRMATION_TTL",
    "KEEP",
    "ROLES",
    "STAFF_TYPES",
    "AddressSuggestion",
    "Administrator",
    "AdministratorEntry",
    "Administrators",
    "Alias",
    "Aliases",
    "Argon2idHasher",
    "AuditEntry",
    "BatchOpenResult",
    "ContactDraft",
    "ContactImport",
    "Contacts",
    "Department",
    "DepartmentNode",
    "Departments",
    "Directory",
    "DissolveConfirmation",
    "Enterprise",
    "Enterprises",
    "ExcelImport",
    "Group",
    "Groups",
    "HostedDomain",
    "Identities",
    "ImportLimits",
    "ImportPreview",
    "ImportResult",
    "ImportRow",
    "Invitation",
    "Invitations",
    "IssuedInvitation",
    "Keep",
    "Mailbox",
    "MailboxStorage",
    "Mailboxes",
    "Member",
    "Members",
    "NewMember",
    "Page",
    "PasswordHasher",
    "PersonalContact",
    "Recipient",
    "Recipients",
    "RecycleBinWorker",
    "RecycledMailbox",
    "RowError",
    "SendAsAddress",
    "SenderIdentities",
    "SharedMailbox",
    "SharedMailboxes",
    "SupersededRow",
    "default_local_part",
    "invitation_link_path",
    "is_sms_phone",
    "normalise_phone",
    "template_xlsx",
]
