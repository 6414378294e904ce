"""The department tree of an enterprise: create, rename, move, delete-if-empty, listing and path lookup.

Invariants:

* The enterprise is the root; a department with ``parent_id`` None sits directly under it.
* Sibling names are unique case-insensitively (a unique index on ``(parent_key, name_key)``).
* A department is never moved under itself or a descendant (no cycles).
* Only an empty department (no sub-departments, no members) can be deleted.
* Import paths read ``Company/R&D/Team``: segments separated by ``/`` from the root; a first
  segment equal to the enterprise's name stands for the root itself and is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from yunmail.directory.context import DirectoryContext, record, require_enterprise
from yunmail.directory.model import (
    Department,
    DepartmentNode,
    department_name_key,
    validate_department_name,
)
from yunmail.errors import (
    DepartmentMoveCycle,
    DepartmentNameTaken,
    DepartmentNotEmpty,
    DepartmentNotFound,
)
from yunmail.storage.repos import departments as department_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection


class Departments:
    def __init__(self, ctx: DirectoryContext) -> None:
        self._ctx = ctx

    async def create(
        self, enterprise_id: int, name: str, actor: str, *, parent_id: int | None = None
    ) -> Department:
        name = validate_department_name(name)
        async with self._ctx.db.transaction() as conn:
            await require_enterprise(conn, enterprise_id)
            return await self.create_in(conn, enterprise_id, name, actor, parent_id=parent_id)

    async def create_in(
        self, conn: AsyncConnection, enterprise_id: int, name: str, actor: str, *, parent_id: int | None
    ) -> Department:
        """``create`` inside the caller's transaction (batch import)."""
        name = validate_department_name(name)
        if parent_id is not None:
            await _require(conn, enterprise_id, parent_id)
        key = department_name_key(name)
        if await department_rows.find_child(conn, enterprise_id, parent_id, key) is not None:
            raise DepartmentNameTaken(name=name)
        department_id = await department_rows.insert_department(
            conn,
            enterprise_id=enterprise_id,
            parent_id=parent_id,
            name=name,
            name_key=key,
            created_at=self._ctx.now(),
        )
        if department_id is None:
            raise DepartmentNameTaken(name=name)
        await record(
            self._ctx,
            conn,
            enterprise_id,
            actor,
            "department.create",
            f"department:{department_id}",
            {"name": name, "parent_id": parent_id},
        )
        return Department.from_row(await _require(conn, enterprise_id, department_id))

    async def get(self, enterprise_id: int, department_id: int) -> Department:
        async with self._ctx.db.read() as conn:
            return Department.from_row(await _require(conn, enterprise_id, department_id))

    async def rename(self, enterprise_id: int, department_id: int, name: str, actor: str) -> Department:
        name = validate_department_name(name)
        key = department_name_key(name)
        async with self._ctx.db.transaction() as conn:
            row = await _require(conn, enterprise_id, department_id)
            clash = await department_rows.find_child(conn, enterprise_id, row["parent_id"], key)
            if clash is not None and clash["id"] != department_id:
                raise DepartmentNameTaken(name=name)
            if not await department_rows.rename(conn, enterprise_id, department_id, name=name, name_key=key):
                raise DepartmentNameTaken(name=name)
            await record(
                self._ctx,
                conn,
                enterprise_id,
                actor,
                "department.rename",
                f"department:{department_id}",
                {"from": row["name"], "to": name},
            )
            return Department.from_row(await _require(conn, enterprise_id, department_id))

    async def move(
        self, enterprise_id: int, department_id: int, parent_id: int | None, actor: str
    ) -> Department:
        """Give the department a new parent (None = the root); its sub-tree moves with it."""
        async with self._ctx.db.transaction() as conn:
            row = await _require(conn, enterprise_id, department_id)
            if parent_id is not None:
                await _require(conn, enterprise_id, parent_id)
                rows = await department_rows.all_of(conn, enterprise_id)
                if parent_id in subtree_ids(rows, department_id):
                    raise DepartmentMoveCycle()
            clash = await department_rows.find_child(conn, enterprise_id, parent_id, row["name_key"])
            if (clash is not None and clash["id"] != department_id) or not await department_rows.move(
                conn, enterprise_id, department_id, parent_id
            ):
                raise DepartmentNameTaken(name=row["name"])
            await record(
                self._ctx,
                conn,
                enterprise_id,
                actor,
                "department.move",
                f"department:{department_id}",
                {"from": row["parent_id"], "to": parent_id},
            )
            return Department.from_row(await _require(conn, enterprise_id, department_id))

    async def delete(self, enterprise_id: int, department_id: int, actor: str) -> None:
        async with self._ctx.db.transaction() as conn:
            row = await _require(conn, enterprise_id, department_id)
            children, members = await department_rows.content_counts(conn, enterprise_id, department_id)
            if children or members:
                raise DepartmentNotEmpty(children=children, members=members)
            await department_rows.delete_department(conn, enterprise_id, department_id)
            await record(
                self._ctx,
                conn,
                enterprise_id,
                actor,
                "department.delete",
                f"department:{department_id}",
                {"name": row["name"]},
            )

    async def tree(self, enterprise_id: int) -> tuple[DepartmentNode, ...]:
        """The root level's departments, each with its sub-tree, sorted by name."""
        async with self._ctx.db.read() as conn:
            await require_enterprise(conn, enterprise_id)
            rows = await department_rows.all_of(conn, enterprise_id)
        by_parent: dict[int | None, list[Department]] = {}
        for row in rows:
            department = Department.from_row(row)
            by_parent.setdefault(department.parent_id, []).append(department)

        def build(parent_id: int | None) -> tuple[DepartmentNode, ...]:
            return tuple(DepartmentNode(d, build(d.id)) for d in by_parent.get(parent_id, []))

        return build(None)

    async def descendant_ids(self, enterprise_id: int, department_id: int) -> frozenset[int]:
        """The department and everything below it."""
        async with self._ctx.db.read() as conn:
            await _require(conn, enterprise_id, department_id)
            rows = await department_rows.all_of(conn, enterprise_id)
        return frozenset(subtree_ids(rows, department_id))

    async def find_path(self, enterprise_id: int, path: str) -> Department | None:
        """The department at ``path`` (None = the root); DepartmentNotFound when a segment is missing."""
        async with self._ctx.db.read() as conn:
            enterprise = await require_enterprise(conn, enterprise_id)
            found: Department | None = None
            for segment in path_segments(path, enterprise["name"]):
                row = await department_rows.find_child(
                    conn, enterprise_id, found.id if found else None, department_name_key(segment)
                )
                if row is None:
                    raise DepartmentNotFound()
                found = Department.from_row(row)
        return found

    async def ensure_path(self, enterprise_id: int, path: str, actor: str) -> Department | None:
        """The department at ``path``, creating missing levels (None = the root)."""
        async with self._ctx.db.transaction() as conn:
            return await self.ensure_path_in(conn, enterprise_id, path, actor)

    async def ensure_path_in(
        self, conn: AsyncConnection, enterprise_id: int, path: str, actor: str
    ) -> Department | None:
        """``ensure_path`` inside the caller's transaction (batch import: all or nothing)."""
        enterprise = await require_enterprise(conn, enterprise_id)
        found: Department | None = None
        for segment in path_segments(path, enterprise["name"]):
            parent_id = found.id if found else None
            row = await department_rows.find_child(
                conn, enterprise_id, parent_id, department_name_key(segment)
            )
            if row is not None:
                found = Department.from_row(row)
            else:
                found = await self.create_in(conn, enterprise_id, segment, actor, parent_id=parent_id)
        return found


def path_segments(path: str, enterprise_name: str) -> list[str]:
    """Validated segments of ``Company/R&D/Team``; a leading enterprise name means the root."""
    segments = [" ".join(part.split()) for part in path.split("/")]
    segments = [s for s in segments if s]
    if segments and department_name_key(segments[0]) == department_name_key(enterprise_name):
        segments = segments[1:]
    return [validate_department_name(s) for s in segments]


def subtree_ids(rows: Sequence[Mapping[str, Any]], department_id: int) -> set[int]:
    """``department_id`` and all its descendants, from the enterprise's (id, parent_id) rows."""
    children: dict[int, list[int]] = {}
    for row in rows:
        if row["parent_id"] is not None:
            children.setdefault(row["parent_id"], []).append(row["id"])
    found = {department_id}
    pending = [department_id]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


async def _require(conn: AsyncConnection, enterprise_id: int, department_id: int) -> Mapping[str, Any]:
    row = await department_rows.get(conn, enterprise_id, department_id)
    if row is None:
        raise DepartmentNotFound()
    return row
