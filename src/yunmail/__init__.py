"""Yunmail: a self-hosted, multi-tenant enterprise e-mail service.

General layout (read top to bottom; each layer imports only from the layers below it, see
``DESIGN.md`` §3 and the import-linter contracts in ``pyproject.toml``):

* ``cli``, ``runtime``, ``services`` -- composition: build every port and service from ``Settings``,
  start listeners and workers, stop them in order.
* ``protocols`` (SMTP, IMAP, POP3) and ``web`` (REST API, consoles, webmail) -- front doors: they
  translate bytes to service calls and errors to their protocol's words. No SQL, no business rules.
* ``delivery``, ``auth``, ``migration`` -- flows that combine services.
* ``directory`` -- the tenant model: enterprises, departments, members, mailbox lifecycle, groups.
* ``mailstore``, ``domains``, ``policy``, ``filters``, ``billing`` -- services below the directory.
  ``mailstore`` knows only mailbox ids; it never sees tenants.
* ``net``, ``mailauth`` -- network edge helpers and pure sender-authentication libraries.
* ``storage`` (the only SQL and file writer), ``mime``, ``dns``, ``events``, ``security``.
* ``config``, ``errors``, ``clock``, ``logging`` -- foundations with no Yunmail imports.

Invariants that hold everywhere: a message acknowledged to a client is fsync'd and committed; every
tenant query is scoped by an enterprise id passed in; time comes from a ``Clock``.
"""

__version__ = "0.1.0"
