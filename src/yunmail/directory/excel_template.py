"""The member import workbook: its columns, the downloadable template, and reading an uploaded file.

Reading is synchronous CPU work (the import service runs it in ``asyncio.to_thread``) and knows
nothing of the database. It decides only file-level matters, each with its own error code:

* size over ``ImportLimits.max_bytes``                          -> IMPORT_FILE_TOO_LARGE
* not a readable .xlsx (zip) or legacy .xls (OLE2) workbook       -> IMPORT_FILE_INVALID
  (sniffed from the bytes; the file name is only used in messages)
* header row missing a template column, or naming an unknown or
  repeated column                                                 -> IMPORT_HEADER_INVALID
* no data row below the header                                    -> IMPORT_FILE_EMPTY
* more than ``ImportLimits.max_rows`` data rows                   -> IMPORT_TOO_MANY_ROWS

The data sheet is the one named like the template's (``成员 Members``), else the first sheet. The
header is the first non-blank row; columns may come in any order and are recognised by their
Chinese label, their English label or both (``姓名 / Name``, ``name``, ``*姓名``). Blank rows are
skipped. Row numbers are the spreadsheet's own (the header usually being row 1).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import openpyxl
import xlrd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from yunmail.errors import (
    ImportFileEmpty,
    ImportFileInvalid,
    ImportFileTooLarge,
    ImportHeaderInvalid,
    ImportTooManyRows,
    YunmailError,
)

DATA_SHEET = "成员 Members"
INSTRUCTIONS_SHEET = "说明 Instructions"
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEMPLATE_ROWS = 5000  # rows that get the text format and the drop-down lists


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """File-level limits of one import (PRODUCT: the numbers are defaults an operator may change)."""

    max_rows: int = 5000
    max_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool
    rule_zh: str
    rule_en: str
    text: bool = False  # formatted as text in the template (keeps leading zeros, long digits)

    @property
    def label(self) -> str:
        return f"{'*' if self.required else ''}{self.zh} / {self.en}"


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "Name", True, "1-64 个字符", "1-64 characters"),
    Column(
        "account",
        "账号",
        "Account",
        True,
        "1-20 位字母、数字、_ . -；企业内唯一，创建后不可修改",
        "1-20 letters, digits, _ . -; unique in the enterprise, cannot be changed later",
        text=True,
    ),
    Column(
        "password",
        "密码",
        "Password",
        False,
        "8-32 位，至少包含数字、大写字母、小写字母、特殊字符中的两种；首次登录须修改。"
        "留空则成员通过短信验证码登录或由管理员重置密码",
        "8-32 characters mixing at least two of digits, upper case, lower case, symbols; must be "
        "changed at first login. Empty: the member signs in by SMS code or after an admin reset",
        text=True,
    ),
    Column(
        "phone",
        "手机号",
        "Phone",
        False,
        "中国大陆手机号（可用于短信登录）或 +国际号码；企业内唯一；手机号与联系邮箱至少填一项",
        "Mainland-China mobile (SMS login) or +international number; unique in the enterprise; "
        "phone or e-mail required",
        text=True,
    ),
    Column("email", "联系邮箱", "E-mail", False, "联系邮箱地址", "Contact e-mail address"),
    Column(
        "role",
        "角色",
        "Role",
        False,
        "成员 / 管理员（仅为标签，不授予管理权限）；留空为成员",
        "member / administrator (a label only, grants no admin rights); empty = member",
    ),
    Column(
        "department",
        "部门路径",
        "Department path",
        False,
        "如 公司/研发部/一组，不存在的部门会自动创建；留空为企业根部门",
        "e.g. Company/R&D/Team; missing departments are created; empty = the enterprise root",
    ),
    Column(
        "staff_type",
        "员工类型",
        "Staff type",
        False,
        "正式 / 实习 / 派遣 / 外包；留空为正式",
        "regular / intern / dispatched / outsourced; empty = regular",
    ),
    Column(
        "hire_date",
        "入职日期",
        "Hire date",
        False,
        "YYYY/MM/DD，如 2025/07/01",
        "YYYY/MM/DD, e.g. 2025/07/01",
        text=True,
    ),
    Column(
        "mailbox",
        "企业邮箱",
        "Enterprise mailbox",
        False,
        "要开通的邮箱地址，域名须为本企业已添加的域名；留空则不开通",
        "Address of the mailbox to open, on one of the enterprise's domains; empty = none",
    ),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
ROLE_WORDS: Mapping[str, str] = MappingProxyType({"成员": "member", "管理员": "administrator"})
STAFF_TYPE_WORDS: Mapping[str, str] = MappingProxyType(
    {"正式": "regular", "实习": "intern", "派遣": "dispatched", "外包": "outsourced"}
)


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One non-blank data row: its spreadsheet row number and its cells by column key."""

    number: int
    cells: Mapping[str, object]

    def text(self, key: str) -> str:
        return cell_text(self.cells.get(key))


@dataclass(frozen=True, slots=True)
class ParsedSheet:
    file_format: str  # xlsx | xls
    rows: tuple[SheetRow, ...]


# --- template ----------------------------------------------------------------------------------------


def template_xlsx() -> bytes:
    """The workbook the console offers for download: the member sheet and an instructions sheet."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = DATA_SHEET
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.label)
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(14, len(column.label.encode("utf-8")) * 0.9)
        if column.text:  # Excel would otherwise turn phones into 1.38E+10 and dates into serials
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    for key, words in (
        ("role", ("member", "administrator", *ROLE_WORDS)),
        ("staff_type", ("regular", "intern", "dispatched", "outsourced", *STAFF_TYPE_WORDS)),
    ):
        letter = openpyxl.utils.get_column_letter(COLUMN_KEYS.index(key) + 1)
        choice = DataValidation(type="list", formula1=f'"{",".join(words)}"', allow_blank=True)
        choice.add(f"{letter}2:{letter}{_TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(choice)

    notes = wb.create_sheet(INSTRUCTIONS_SHEET)
    notes.append(["批量导入成员说明", "How to import members"])
    notes.append(
        [
            f"在“{DATA_SHEET}”表中每行填写一名成员，第一行表头请勿修改；带 * 的列为必填。"
            f"每个文件最多 {ImportLimits().max_rows} 行。同一账号出现多次时，以最后一行为准。"
            "任何一行有误时，其余正确的行仍可导入，错误行会逐行列出原因。",
            f"Fill one member per row of the '{DATA_SHEET}' sheet and keep its header row; columns marked "
            f"* are required. At most {ImportLimits().max_rows} rows per file. When an account appears "
            "more than once, the last row wins. Bad rows are listed with their reasons; the good rows "
            "can still be imported.",
        ]
    )
    notes.append([])
    notes.append(["列 Column", "必填 Required", "规则", "Rule"])
    for column in COLUMNS:
        notes.append(
            [
                f"{column.zh} / {column.en}",
                "是 yes" if column.required else "否 no",
                column.rule_zh,
                column.rule_en,
            ]
        )
    notes.append([])
    notes.append(["示例 Example"])
    notes.append([c.label for c in COLUMNS])
    notes.append(
        [
            "张三",
            "zhangsan",
            "Welcome-2026",
            "13800000000",
            "zhangsan@example.com",
            "成员",
            "公司/研发部/一组",
            "正式",
            "2025/07/01",
            "zhangsan@example.com",
        ]
    )
    for cell in notes[1]:
        cell.font = Font(bold=True, size=13)
    for cell in notes[4]:
        cell.font = Font(bold=True)
    for letter, width in (("A", 26), ("B", 16), ("C", 60), ("D", 70)):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- reading -----------------------------------------------------------------------------------------


def read_workbook(data: bytes, filename: str, limits: ImportLimits) -> ParsedSheet:
    """Header-checked data rows of an uploaded workbook, or the file-level catalogue error."""
    if len(data) > limits.max_bytes:
        raise ImportFileTooLarge(limit=limits.max_bytes)
    if data.startswith(_XLSX_MAGIC):
        file_format, reader = "xlsx", _xlsx_rows
    elif data.startswith(_XLS_MAGIC):
        file_format, reader = "xls", _xls_rows
    else:
        raise ImportFileInvalid(filename=filename)
    try:
        with contextlib.closing(reader(data)) as raw:
            rows = _collect(raw, limits)
    except YunmailError:  # the file-level errors raised while collecting
        raise
    except Exception as exc:  # any failure to decode an untrusted file means "not a workbook"
        raise ImportFileInvalid(filename=filename) from exc
    return ParsedSheet(file_format, rows)


def _collect(raw: Iterable[tuple[int, tuple[object, ...]]], limits: ImportLimits) -> tuple[SheetRow, ...]:
    header: dict[int, str] | None = None
    rows: list[SheetRow] = []
    for number, values in raw:
        if all(cell_text(v) == "" for v in values):
            continue
        if header is None:
            header = _header(values)
            continue
        if len(rows) >= limits.max_rows:
            raise ImportTooManyRows(limit=limits.max_rows)
        cells = {key: values[i] if i < len(values) else None for i, key in header.items()}
        rows.append(SheetRow(number, MappingProxyType(cells)))
    if header is None or not rows:
        raise ImportFileEmpty()
    return tuple(rows)


def _header(values: Iterable[object]) -> dict[int, str]:
    """Column index -> column key; IMPORT_HEADER_INVALID unless every template column is there once."""
    found: dict[int, str] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for index, value in enumerate(values):
        text = cell_text(value)
        if not text:
            continue
        key = _LABELS.get(_label_key(text))
        if key is None:
            unknown.append(text)
        elif key in found.values():
            repeated.append(text)
        else:
            found[index] = key
    missing = [c.label.lstrip("*") for c in COLUMNS if c.key not in found.values()]
    if missing or unknown or repeated:
        raise ImportHeaderInvalid(
            missing=", ".join(missing) or "-", unknown=", ".join(unknown + repeated) or "-"
        )
    return found


def _label_key(text: str) -> str:
    text = text.replace("（", "(").replace("）", ")").replace("：", ":")
    return re.sub(r"[\s*:_\-]", "", text).casefold()


def _labels() -> Mapping[str, str]:
    labels: dict[str, str] = {}
    for column in COLUMNS:
        zh, en = column.zh, column.en
        for form in (zh, en, zh + en, en + zh, f"{zh}/{en}", f"{en}/{zh}", f"{zh}({en})", f"{en}({zh})"):
            labels[_label_key(form)] = column.key
    return MappingProxyType(labels)


_LABELS = _labels()


def cell_text(value: object) -> str:
    """A cell as trimmed text: whole numbers without ``.0`` (phones typed as numbers), dates as Y/M/D."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%Y/%m/%d")
    return str(value).strip()


def _xlsx_rows(data: bytes) -> Generator[tuple[int, tuple[object, ...]], None, None]:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = wb[DATA_SHEET] if DATA_SHEET in wb.sheetnames else wb.worksheets[0]
        sheet.reset_dimensions()  # some writers store wrong dimensions; read what is really there
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, tuple(values)
    finally:
        wb.close()


def _xls_rows(data: bytes) -> Generator[tuple[int, tuple[object, ...]], None, None]:
    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    try:
        names = book.sheet_names()
        sheet = book.sheet_by_name(DATA_SHEET) if DATA_SHEET in names else book.sheet_by_index(0)
        for index in range(sheet.nrows):
            yield index + 1, tuple(_xls_value(book, cell) for cell in sheet.row(index))
    finally:
        book.release_resources()


def _xls_value(book: Any, cell: Any) -> object:
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(cell.value, book.datemode)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return cell.value
