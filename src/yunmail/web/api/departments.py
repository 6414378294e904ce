"""REST API v1: the enterprise's department tree: list, create, show, rename/move, delete-if-empty.

The enterprise itself is the root: ``parent_id`` null means "directly under the enterprise". A PATCH
may rename and move in one call; the move is applied first, so a refused move changes nothing, and a
rename refused after a successful move leaves the department moved (each step is its own audited
change).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from yunmail.errors import (
    DepartmentMoveCycle,
    DepartmentNameInvalid,
    DepartmentNameTaken,
    DepartmentNotEmpty,
    DepartmentNotFound,
    InvalidInput,
)
from yunmail.web import deps
from yunmail.web.api.schemas_org import (
    AUTH_RESPONSES,
    AdminPrincipal,
    DepartmentCreate,
    DepartmentNodeOut,
    DepartmentOut,
    DepartmentPatch,
    DepartmentTreeOut,
    IdPath,
    doc,
)


def router() -> APIRouter:
    r = APIRouter(tags=["departments"], responses=AUTH_RESPONSES)

    @r.get(
        "/departments",
        response_model=DepartmentTreeOut,
        **doc("Department tree", "Every department, nested under its parent, sorted by name."),
    )
    async def tree(request: Request, principal: AdminPrincipal) -> DepartmentTreeOut:
        nodes = await deps.services_of(request).directory.departments.tree(deps.enterprise_scope(principal))
        return DepartmentTreeOut(items=[DepartmentNodeOut.of_node(n) for n in nodes])

    @r.post(
        "/departments",
        status_code=201,
        response_model=DepartmentOut,
        **doc(
            "Create a department",
            "Sibling names are unique (case-insensitively); names cannot contain '/'.",
            DepartmentNameInvalid,
            DepartmentNameTaken,
            DepartmentNotFound,
        ),
    )
    async def create(request: Request, body: DepartmentCreate, principal: AdminPrincipal) -> DepartmentOut:
        department = await deps.services_of(request).directory.departments.create(
            deps.enterprise_scope(principal),
            body.name,
            deps.actor_of(principal, request),
            parent_id=body.parent_id,
        )
        return DepartmentOut.of(department)

    @r.get(
        "/departments/{department_id}",
        response_model=DepartmentOut,
        **doc("Show a department", "One department.", DepartmentNotFound),
    )
    async def show(request: Request, department_id: IdPath, principal: AdminPrincipal) -> DepartmentOut:
        department = await deps.services_of(request).directory.departments.get(
            deps.enterprise_scope(principal), department_id
        )
        return DepartmentOut.of(department)

    @r.patch(
        "/departments/{department_id}",
        response_model=DepartmentOut,
        **doc(
            "Rename or move a department",
            "`name` renames; `parent_id` moves the department and its sub-tree (`null` = under the "
            "enterprise root). A department cannot move under itself or one of its descendants.",
            DepartmentNotFound,
            DepartmentNameInvalid,
            DepartmentNameTaken,
            DepartmentMoveCycle,
            InvalidInput,
        ),
    )
    async def update(
        request: Request, department_id: IdPath, body: DepartmentPatch, principal: AdminPrincipal
    ) -> DepartmentOut:
        departments = deps.services_of(request).directory.departments
        enterprise_id = deps.enterprise_scope(principal)
        actor = deps.actor_of(principal, request)
        if "name" in body.model_fields_set and body.name is None:
            raise InvalidInput(detail="name cannot be null")
        department = await departments.get(enterprise_id, department_id)
        if "parent_id" in body.model_fields_set and body.parent_id != department.parent_id:
            department = await departments.move(enterprise_id, department_id, body.parent_id, actor)
        if body.name is not None and body.name != department.name:
            department = await departments.rename(enterprise_id, department_id, body.name, actor)
        return DepartmentOut.of(department)

    @r.delete(
        "/departments/{department_id}",
        status_code=204,
        response_class=Response,
        **doc(
            "Delete a department",
            "Only an empty department (no sub-departments, no members) can be deleted.",
            DepartmentNotFound,
            DepartmentNotEmpty,
        ),
    )
    async def delete(request: Request, department_id: IdPath, principal: AdminPrincipal) -> Response:
        await deps.services_of(request).directory.departments.delete(
            deps.enterprise_scope(principal), department_id, deps.actor_of(principal, request)
        )
        return Response(status_code=204)

    return r
