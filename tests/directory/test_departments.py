"""The department tree (PRODUCT §2): create, rename, move without cycles, delete only when empty, paths."""

from __future__ import annotations

import pytest

from support.factories import ACTOR, DirectoryFactory
from yunmail.directory import DepartmentNode, Directory, Enterprise
from yunmail.errors import (
    DepartmentMoveCycle,
    DepartmentNameInvalid,
    DepartmentNameTaken,
    DepartmentNotEmpty,
    DepartmentNotFound,
)


@pytest.fixture
async def enterprise(factory: DirectoryFactory) -> Enterprise:
    return await factory.enterprise(name="Acme")


def shape(nodes: tuple[DepartmentNode, ...]) -> list[object]:
    return [(n.department.name, shape(n.children)) if n.children else n.department.name for n in nodes]


async def test_departments_form_a_tree_under_the_enterprise(
    directory: Directory, enterprise: Enterprise
) -> None:
    eid = enterprise.id
    rd = await directory.departments.create(eid, "R&D", ACTOR)
    await directory.departments.create(eid, "Team B", ACTOR, parent_id=rd.id)
    await directory.departments.create(eid, "Team A", ACTOR, parent_id=rd.id)
    await directory.departments.create(eid, "Finance", ACTOR)
    assert shape(await directory.departments.tree(eid)) == ["Finance", ("R&D", ["Team A", "Team B"])]


async def test_sibling_names_are_unique_ignoring_case(directory: Directory, enterprise: Enterprise) -> None:
    await directory.departments.create(enterprise.id, "Sales", ACTOR)
    with pytest.raises(DepartmentNameTaken) as caught:
        await directory.departments.create(enterprise.id, "SALES", ACTOR)
    assert caught.value.params == {"name": "SALES"}


async def test_the_same_name_may_repeat_under_different_parents(
    directory: Directory, enterprise: Enterprise
) -> None:
    east = await directory.departments.create(enterprise.id, "East", ACTOR)
    west = await directory.departments.create(enterprise.id, "West", ACTOR)
    a = await directory.departments.create(enterprise.id, "Sales", ACTOR, parent_id=east.id)
    b = await directory.departments.create(enterprise.id, "Sales", ACTOR, parent_id=west.id)
    assert (a.parent_id, b.parent_id) == (east.id, west.id)


async def test_unknown_parent_is_not_found(directory: Directory, enterprise: Enterprise) -> None:
    with pytest.raises(DepartmentNotFound):
        await directory.departments.create(enterprise.id, "Sales", ACTOR, parent_id=404)


async def test_department_name_with_a_slash_is_invalid(directory: Directory, enterprise: Enterprise) -> None:
    with pytest.raises(DepartmentNameInvalid):
        await directory.departments.create(enterprise.id, "Sales/East", ACTOR)


async def test_rename_changes_the_name(directory: Directory, enterprise: Enterprise) -> None:
    sales = await directory.departments.create(enterprise.id, "Sales", ACTOR)
    renamed = await directory.departments.rename(enterprise.id, sales.id, "Marketing", ACTOR)
    assert (renamed.id, renamed.name) == (sales.id, "Marketing")


async def test_rename_may_change_only_the_case(directory: Directory, enterprise: Enterprise) -> None:
    sales = await directory.departments.create(enterprise.id, "sales", ACTOR)
    assert (await directory.departments.rename(enterprise.id, sales.id, "Sales", ACTOR)).name == "Sales"


async def test_rename_to_a_siblings_name_is_refused(directory: Directory, enterprise: Enterprise) -> None:
    await directory.departments.create(enterprise.id, "Sales", ACTOR)
    finance = await directory.departments.create(enterprise.id, "Finance", ACTOR)
    with pytest.raises(DepartmentNameTaken):
        await directory.departments.rename(enterprise.id, finance.id, "sales", ACTOR)


async def test_move_changes_the_parent_and_takes_the_subtree_along(
    directory: Directory, enterprise: Enterprise
) -> None:
    eid = enterprise.id
    rd = await directory.departments.create(eid, "R&D", ACTOR)
    ops = await directory.departments.create(eid, "Ops", ACTOR)
    await directory.departments.create(eid, "On-call", ACTOR, parent_id=ops.id)
    await directory.departments.move(eid, ops.id, rd.id, ACTOR)
    assert shape(await directory.departments.tree(eid)) == [("R&D", [("Ops", ["On-call"])])]


async def test_move_back_to_the_root(directory: Directory, enterprise: Enterprise) -> None:
    rd = await directory.departments.create(enterprise.id, "R&D", ACTOR)
    team = await directory.departments.create(enterprise.id, "Team", ACTOR, parent_id=rd.id)
    assert (await directory.departments.move(enterprise.id, team.id, None, ACTOR)).parent_id is None


async def test_move_under_itself_is_a_cycle(directory: Directory, enterprise: Enterprise) -> None:
    rd = await directory.departments.create(enterprise.id, "R&D", ACTOR)
    with pytest.raises(DepartmentMoveCycle):
        await directory.departments.move(enterprise.id, rd.id, rd.id, ACTOR)


async def test_move_under_a_descendant_is_a_cycle(directory: Directory, enterprise: Enterprise) -> None:
    eid = enterprise.id
    rd = await directory.departments.create(eid, "R&D", ACTOR)
    team = await directory.departments.create(eid, "Team", ACTOR, parent_id=rd.id)
    squad = await directory.departments.create(eid, "Squad", ACTOR, parent_id=team.id)
    with pytest.raises(DepartmentMoveCycle):
        await directory.departments.move(eid, rd.id, squad.id, ACTOR)


async def test_move_next_to_a_namesake_is_refused(directory: Directory, enterprise: Enterprise) -> None:
    eid = enterprise.id
    await directory.departments.create(eid, "Sales", ACTOR)
    east = await directory.departments.create(eid, "East", ACTOR)
    east_sales = await directory.departments.create(eid, "Sales", ACTOR, parent_id=east.id)
    with pytest.raises(DepartmentNameTaken):
        await directory.departments.move(eid, east_sales.id, None, ACTOR)


async def test_delete_with_a_sub_department_is_refused_with_counts(
    directory: Directory, enterprise: Enterprise
) -> None:
    rd = await directory.departments.create(enterprise.id, "R&D", ACTOR)
    await directory.departments.create(enterprise.id, "Team", ACTOR, parent_id=rd.id)
    with pytest.raises(DepartmentNotEmpty) as caught:
        await directory.departments.delete(enterprise.id, rd.id, ACTOR)
    assert caught.value.params == {"children": 1, "members": 0}


async def test_delete_with_a_member_is_refused_with_counts(
    factory: DirectoryFactory, enterprise: Enterprise
) -> None:
    rd = await factory.directory.departments.create(enterprise.id, "R&D", ACTOR)
    await factory.member(enterprise.id, department_id=rd.id)
    with pytest.raises(DepartmentNotEmpty) as caught:
        await factory.directory.departments.delete(enterprise.id, rd.id, ACTOR)
    assert caught.value.params == {"children": 0, "members": 1}


async def test_delete_of_an_empty_department_removes_it(directory: Directory, enterprise: Enterprise) -> None:
    rd = await directory.departments.create(enterprise.id, "R&D", ACTOR)
    await directory.departments.delete(enterprise.id, rd.id, ACTOR)
    with pytest.raises(DepartmentNotFound):
        await directory.departments.get(enterprise.id, rd.id)


async def test_ensure_path_creates_missing_levels_and_reuses_existing_ones(
    directory: Directory, enterprise: Enterprise
) -> None:
    rd = await directory.departments.create(enterprise.id, "R&D", ACTOR)
    team = await directory.departments.ensure_path(enterprise.id, "r&d / Team ", ACTOR)
    assert team is not None
    assert (team.name, team.parent_id) == ("Team", rd.id)
    assert shape(await directory.departments.tree(enterprise.id)) == [("R&D", ["Team"])]


async def test_path_starting_with_the_enterprise_name_starts_at_the_root(
    directory: Directory, enterprise: Enterprise
) -> None:
    team = await directory.departments.ensure_path(enterprise.id, "Acme/R&D/Team", ACTOR)
    assert await directory.departments.find_path(enterprise.id, "R&D/Team") == team


async def test_empty_path_is_the_root(directory: Directory, enterprise: Enterprise) -> None:
    assert await directory.departments.ensure_path(enterprise.id, " / ", ACTOR) is None


async def test_find_path_with_a_missing_level_is_not_found(
    directory: Directory, enterprise: Enterprise
) -> None:
    await directory.departments.create(enterprise.id, "R&D", ACTOR)
    with pytest.raises(DepartmentNotFound):
        await directory.departments.find_path(enterprise.id, "R&D/Missing")
