"""Organisation tree page: departments created (under a parent), renamed, moved (a select of the new
parent, no dragging needed) and deleted (empty ones only; the refusal is shown on the page).

``department_options`` (the tree flattened for ``<select>`` lists) is shared with the member pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from yunmail.auth import Principal
from yunmail.directory import DepartmentNode
from yunmail.errors import InvalidInput, YunmailError
from yunmail.web import deps
from yunmail.web.console import flash_of, redirect, render
from yunmail.web.errors import language_of

PAGE = "/admin/organisation"

STRINGS: Mapping[str, tuple[str, str]] = {
    "admin.org.title": ("Organisation", "组织架构"),
    "admin.org.root": ("(top level)", "（企业根部门）"),
    "admin.org.empty": ("No departments yet.", "还没有部门。"),
    "admin.org.create": ("Add a department", "添加部门"),
    "admin.org.name": ("Department name", "部门名称"),
    "admin.org.parent": ("Under", "上级部门"),
    "admin.org.add": ("Add", "添加"),
    "admin.org.rename": ("Rename", "重命名"),
    "admin.org.move": ("Move under", "移动到"),
    "admin.org.move_submit": ("Move", "移动"),
    "admin.org.delete": ("Delete", "删除"),
    "admin.org.delete_hint": (
        "Only an empty department (no sub-departments, no members) can be deleted.",
        "只能删除空部门（没有子部门和成员）。",
    ),
    "admin.org.delete_confirm": ("Delete this department?", "确定删除该部门？"),
    "admin.org.actions": ("Edit", "编辑"),
    "admin.org.members": ("Members", "成员"),
    "admin.org.add_child": ("Add a sub-department", "添加子部门"),
    "admin.org.done.created": ("The department was added.", "部门已添加。"),
    "admin.org.done.renamed": ("The department was renamed.", "部门已重命名。"),
    "admin.org.done.moved": ("The department was moved.", "部门已移动。"),
    "admin.org.done.deleted": ("The department was deleted.", "部门已删除。"),
    "admin.org.bad_parent": ("Choose a department from the list", "请从列表中选择部门"),
}

_DONE: Mapping[str, str] = {
    "department-created": "admin.org.done.created",
    "department-renamed": "admin.org.done.renamed",
    "department-moved": "admin.org.done.moved",
    "department-deleted": "admin.org.done.deleted",
}


@dataclass(frozen=True, slots=True)
class DepartmentOption:
    """One department in a ``<select>``: its id, its name, its depth and full path."""

    id: int
    name: str
    depth: int
    path: str

    @property
    def label(self) -> str:
        return "\u2003" * self.depth + self.name  # em spaces: indentation that survives in <option>


def department_options(tree: Sequence[DepartmentNode]) -> list[DepartmentOption]:
    """The tree in display order (parents before children)."""
    found: list[DepartmentOption] = []

    def walk(nodes: Iterable[DepartmentNode], depth: int, prefix: str) -> None:
        for node in nodes:
            path = f"{prefix}/{node.department.name}" if prefix else node.department.name
            found.append(DepartmentOption(node.department.id, node.department.name, depth, path))
            walk(node.children, depth + 1, path)

    walk(tree, 0, "")
    return found


def subtree_of(tree: Sequence[DepartmentNode]) -> dict[int, frozenset[int]]:
    """Each department's own id and its descendants' ids (a department cannot move below itself)."""
    below: dict[int, frozenset[int]] = {}

    def walk(node: DepartmentNode) -> frozenset[int]:
        ids = {node.department.id}
        for child in node.children:
            ids |= walk(child)
        below[node.department.id] = frozenset(ids)
        return below[node.department.id]

    for node in tree:
        walk(node)
    return below


def parse_department_id(value: str) -> int | None:
    """A select's value: "" is the top level; anything that is not a number is refused."""
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput(detail="department")
    return int(value)


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route(PAGE, organisation, methods=["GET"])
    routes.add_api_route(f"{PAGE}/departments", create, methods=["POST"])
    routes.add_api_route(f"{PAGE}/departments/{{department_id}}/rename", rename, methods=["POST"])
    routes.add_api_route(f"{PAGE}/departments/{{department_id}}/move", move, methods=["POST"])
    routes.add_api_route(f"{PAGE}/departments/{{department_id}}/delete", delete, methods=["POST"])
    return routes


Admin = Annotated[Principal, Depends(deps.administrator)]


async def organisation(request: Request, principal: Admin) -> Response:
    return await _page(request, principal, flash=flash_of(request, _DONE))


async def create(
    request: Request,
    principal: Admin,
    name: Annotated[str, Form()] = "",
    parent_id: Annotated[str, Form()] = "",
) -> Response:
    enterprise_id = deps.enterprise_scope(principal)
    try:
        parent = parse_department_id(parent_id)
        await deps.services_of(request).directory.departments.create(
            enterprise_id, name, deps.actor_of(principal, request), parent_id=parent
        )
    except YunmailError as error:
        return await _page(request, principal, error=error, form={"name": name, "parent_id": parent_id})
    return redirect(f"{PAGE}?done=department-created")


async def rename(
    request: Request, principal: Admin, department_id: int, name: Annotated[str, Form()] = ""
) -> Response:
    enterprise_id = deps.enterprise_scope(principal)
    try:
        await deps.services_of(request).directory.departments.rename(
            enterprise_id, department_id, name, deps.actor_of(principal, request)
        )
    except YunmailError as error:
        return await _page(request, principal, error=error, open_id=department_id)
    return redirect(f"{PAGE}?done=department-renamed")


async def move(
    request: Request, principal: Admin, department_id: int, parent_id: Annotated[str, Form()] = ""
) -> Response:
    enterprise_id = deps.enterprise_scope(principal)
    try:
        parent = parse_department_id(parent_id)
        await deps.services_of(request).directory.departments.move(
            enterprise_id, department_id, parent, deps.actor_of(principal, request)
        )
    except YunmailError as error:
        return await _page(request, principal, error=error, open_id=department_id)
    return redirect(f"{PAGE}?done=department-moved")


async def delete(request: Request, principal: Admin, department_id: int) -> Response:
    enterprise_id = deps.enterprise_scope(principal)
    try:
        await deps.services_of(request).directory.departments.delete(
            enterprise_id, department_id, deps.actor_of(principal, request)
        )
    except YunmailError as error:
        return await _page(request, principal, error=error, open_id=department_id)
    return redirect(f"{PAGE}?done=department-deleted")


async def _page(
    request: Request,
    principal: Principal,
    *,
    flash: str | None = None,
    error: YunmailError | None = None,
    form: Mapping[str, str] | None = None,
    open_id: int | None = None,
) -> Response:
    enterprise_id = deps.enterprise_scope(principal)
    tree = await deps.services_of(request).directory.departments.tree(enterprise_id)
    context: dict[str, Any] = {
        "tree": tree,
        "options": department_options(tree),
        "below": subtree_of(tree),
        "form": form or {},
        "open_id": open_id,
        "flash": flash,
        "error": error.text(language_of(request)) if error is not None else None,
        "error_code": error.code if error is not None else None,
    }
    status = error.http_status if error is not None else 200
    if error is not None and open_id is not None and open_id not in context["below"]:
        raise error  # an unknown or foreign department: the plain 404 page, not the tree
    return render(request, "admin/organisation.html", context, status_code=status)
