"""REST API v1: batch import of members from the Excel template: download it, preview a file, commit it.

Both preview and commit take the workbook as a multipart upload (field ``file``, xlsx or legacy
xls). The preview writes nothing and lists every bad row with its reason and the rows superseded by
a later row of the same account; the commit validates again and imports every valid row in one
transaction. A file-level problem (not a workbook, wrong header, too large, too many rows) is an
error response and nothing is written. Uploads are read up to the import size limit plus one byte,
so an oversized file is refused without holding all of it in memory.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Literal

from fastapi import APIRouter, File, Request, Response, UploadFile
from pydantic import BaseModel, Field

from yunmail.directory import ImportRow, RowError, SupersededRow, template_xlsx
from yunmail.errors import (
    ImportFileEmpty,
    ImportFileInvalid,
    ImportFileTooLarge,
    ImportHeaderInvalid,
    ImportTooManyRows,
    InvalidInput,
)
from yunmail.web import deps
from yunmail.web.api.members import members_out
from yunmail.web.api.schemas_org import AUTH_RESPONSES, AdminPrincipal, MemberOut, doc
from yunmail.web.errors import language_of

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAME = "yunmail-members-template.xlsx"
_FILE_ERRORS = (
    ImportFileInvalid,
    ImportFileEmpty,
    ImportHeaderInvalid,
    ImportFileTooLarge,
    ImportTooManyRows,
)
_UPLOAD = File(..., description="The filled-in template (.xlsx or .xls)")


# --- response models ----------------------------------------------------------------------------------


class ImportRowOut(BaseModel):
    row: int
    name: str
    account: str
    phone: str | None
    contact_email: str | None
    role: str
    staff_type: str
    hire_date: dt.date | None
    department: str = Field(description="Path below the enterprise root; empty = the root")
    mailbox: str | None
    has_password: bool

    @classmethod
    def of(cls, r: ImportRow) -> ImportRowOut:
        return cls(
            row=r.row,
            name=r.name,
            account=r.account,
            phone=r.phone,
            contact_email=r.contact_email,
            role=r.role,
            staff_type=r.staff_type,
            hire_date=r.hire_date,
            department=r.department,
            mailbox=r.mailbox,
            has_password=r.has_password,
        )


class RowErrorOut(BaseModel):
    row: int = Field(description="Spreadsheet row number")
    column: str | None = Field(description="Column key; null = the whole row")
    code: str
    message: str
    account: str

    @classmethod
    def of(cls, e: RowError, lang: str) -> RowErrorOut:
        message = e.message_zh if lang.lower().startswith("zh") else e.message_en
        return cls(row=e.row, column=e.column, code=e.code, message=message, account=e.account)


class SupersededOut(BaseModel):
    row: int
    account: str
    by_row: int = Field(description="The later row of the same account, which wins")

    @classmethod
    def of(cls, s: SupersededRow) -> SupersededOut:
        return cls(row=s.row, account=s.account, by_row=s.by_row)


class ImportPreviewOut(BaseModel):
    filename: str
    file_format: Literal["xlsx", "xls"]
    total_rows: int
    valid: list[ImportRowOut]
    errors: list[RowErrorOut]
    error_rows: list[int]
    superseded: list[SupersededOut]
    new_departments: list[str]


class ImportResultOut(BaseModel):
    filename: str
    added: list[MemberOut]
    departments_created: int
    mailboxes_opened: int
    errors: list[RowErrorOut]
    superseded: list[SupersededOut]


async def _read(request: Request, upload: UploadFile) -> tuple[bytes, str]:
    limit = deps.services_of(request).directory.imports.limits.max_bytes
    data = await upload.read(limit + 1)  # one byte over the limit is enough to refuse it
    return data, (upload.filename or "import.xlsx")[:200]


def router() -> APIRouter:
    r = APIRouter(tags=["imports"], responses=AUTH_RESPONSES)

    @r.get(
        "/imports/template",
        response_class=Response,
        **doc(
            "Download the import template",
            "An .xlsx workbook with the member columns, drop-down lists and instructions (Chinese and "
            "English).",
            responses={200: {"content": {XLSX_TYPE: {}}, "description": "The template workbook"}},
        ),
    )
    async def template(principal: AdminPrincipal) -> Response:
        data = await asyncio.to_thread(template_xlsx)
        return Response(
            data,
            media_type=XLSX_TYPE,
            headers={"content-disposition": f'attachment; filename="{TEMPLATE_NAME}"'},
        )

    @r.post(
        "/imports/preview",
        response_model=ImportPreviewOut,
        **doc(
            "Preview an import",
            "Checks every row with the same rules as adding a member and lists every bad row with its "
            "reason (row, column, code, message); a repeated account: the last row wins and earlier "
            "rows are listed as superseded. Writes nothing.",
            *_FILE_ERRORS,
            InvalidInput,
        ),
    )
    async def preview(
        request: Request, principal: AdminPrincipal, file: UploadFile = _UPLOAD
    ) -> ImportPreviewOut:
        data, filename = await _read(request, file)
        found = await deps.services_of(request).directory.imports.preview(
            deps.enterprise_scope(principal), data, filename
        )
        lang = language_of(request)
        return ImportPreviewOut(
            filename=found.filename,
            file_format=found.file_format,  # type: ignore[arg-type]  # the reader knows only the two
            total_rows=found.total_rows,
            valid=[ImportRowOut.of(row) for row in found.valid],
            errors=[RowErrorOut.of(error, lang) for error in found.errors],
            error_rows=list(found.error_rows),
            superseded=[SupersededOut.of(s) for s in found.superseded],
            new_departments=list(found.new_departments),
        )

    @r.post(
        "/imports",
        response_model=ImportResultOut,
        **doc(
            "Import members",
            "Imports every valid row in one transaction (departments from paths, members, mailboxes) "
            "and reports every row that was not imported. A file-level error imports nothing.",
            *_FILE_ERRORS,
            InvalidInput,
        ),
    )
    async def commit(
        request: Request, principal: AdminPrincipal, file: UploadFile = _UPLOAD
    ) -> ImportResultOut:
        data, filename = await _read(request, file)
        enterprise_id = deps.enterprise_scope(principal)
        result = await deps.services_of(request).directory.imports.commit(
            enterprise_id, data, filename, deps.actor_of(principal, request)
        )
        lang = language_of(request)
        return ImportResultOut(
            filename=result.filename,
            added=await members_out(request, enterprise_id, result.added),
            departments_created=result.departments_created,
            mailboxes_opened=result.mailboxes_opened,
            errors=[RowErrorOut.of(error, lang) for error in result.errors],
            superseded=[SupersededOut.of(s) for s in result.superseded],
        )

    return r
