"""Domain registration (PRODUCT §4): normalisation, corrections, occupancy, trust, removal."""

from __future__ import annotations

import pytest

from support.factories import ACTOR, DirectoryFactory
from yunmail.clock import FakeClock
from yunmail.directory import Enterprise
from yunmail.domains import DomainRegistry, normalise_domain
from yunmail.errors import (
    DomainAlreadyAdded,
    DomainHasWww,
    DomainInUse,
    DomainInvalid,
    DomainLooksLikeAddress,
    DomainLooksLikeUrl,
    DomainModeInvalid,
    DomainNotFound,
    DomainOccupied,
    EnterpriseNotFound,
)
from yunmail.storage import Database


@pytest.fixture
def factory(db: Database, clock: FakeClock) -> DirectoryFactory:
    return DirectoryFactory.build(db, clock)


@pytest.fixture
def registry(factory: DirectoryFactory) -> DomainRegistry:
    return factory.domains


@pytest.fixture
async def enterprise(factory: DirectoryFactory) -> Enterprise:
    return await factory.enterprise()


# --- normalisation and input corrections (pure) ----------------------------------------------------


@pytest.mark.parametrize("typed", ["Example.COM", " example.com. ", "EXAMPLE.com"])
def test_domain_is_stored_lower_case_without_trailing_dot(typed: str) -> None:
    assert normalise_domain(typed).ascii == "example.com"


@pytest.mark.parametrize("typed", ["例子.中国", "例子。中国", "XN--FSQU00A.xn--fiqs8s"])
def test_idn_is_stored_as_a_label_and_shown_as_u_label(typed: str) -> None:
    name = normalise_domain(typed)
    assert (name.ascii, name.unicode) == ("xn--fsqu00a.xn--fiqs8s", "例子.中国")


def test_www_prefix_gets_a_correction() -> None:
    with pytest.raises(DomainHasWww) as caught:
        normalise_domain("www.Example.com")
    assert caught.value.params == {"suggestion": "example.com"}


def test_www_alone_as_a_second_level_domain_is_accepted() -> None:
    assert normalise_domain("www.com").ascii == "www.com"


def test_an_email_address_gets_a_correction() -> None:
    with pytest.raises(DomainLooksLikeAddress) as caught:
        normalise_domain("user@Example.com")
    assert caught.value.params == {"suggestion": "example.com"}


@pytest.mark.parametrize("typed", ["https://www.example.com/path", "http://example.com", "example.com/mail"])
def test_a_web_address_gets_a_correction(typed: str) -> None:
    with pytest.raises(DomainLooksLikeUrl) as caught:
        normalise_domain(typed)
    assert caught.value.params == {"suggestion": "example.com"}


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "localhost",
        "http://[example.com",
        "exa_mple.com",
        "example.123",
        "-example.com",
        "a..b.com",
        "x" * 64 + ".com",
        "1.2.3.4",
    ],
)
def test_invalid_domain_is_refused(typed: str) -> None:
    with pytest.raises(DomainInvalid):
        normalise_domain(typed)


# --- registration -----------------------------------------------------------------------------------


async def test_added_domain_is_pending_with_an_ownership_token(
    registry: DomainRegistry, enterprise: Enterprise, clock: FakeClock
) -> None:
    domain = await registry.add(enterprise.id, "Example.com", ACTOR)
    assert (domain.name, domain.mode, domain.state, domain.verified_at, domain.created_at) == (
        "example.com",
        "full",
        "pending",
        None,
        clock.now(),
    )
    assert len(domain.ownership_token) >= 24


async def test_every_domain_gets_its_own_ownership_token(
    registry: DomainRegistry, enterprise: Enterprise
) -> None:
    a = await registry.add(enterprise.id, "a.example", ACTOR)
    b = await registry.add(enterprise.id, "b.example", ACTOR)
    assert a.ownership_token != b.ownership_token


async def test_ownership_only_mode_is_recorded(registry: DomainRegistry, enterprise: Enterprise) -> None:
    assert (await registry.add(enterprise.id, "example.com", ACTOR, mode="ownership")).mode == "ownership"


async def test_unknown_mode_is_refused(registry: DomainRegistry, enterprise: Enterprise) -> None:
    with pytest.raises(DomainModeInvalid):
        await registry.add(enterprise.id, "example.com", ACTOR, mode="partial")


async def test_trusted_domain_is_verified_without_dns(
    registry: DomainRegistry, enterprise: Enterprise, clock: FakeClock
) -> None:
    domain = await registry.add(enterprise.id, "example.com", ACTOR, trust=True)
    assert (domain.state, domain.verified_at) == ("verified", clock.now())


async def test_domain_of_another_enterprise_is_occupied_without_naming_it(
    factory: DirectoryFactory, registry: DomainRegistry, enterprise: Enterprise
) -> None:
    await registry.add(enterprise.id, "example.com", ACTOR)
    other = await factory.enterprise()
    with pytest.raises(DomainOccupied) as caught:
        await registry.add(other.id, "EXAMPLE.com", ACTOR)
    assert caught.value.params == {"domain": "example.com"}


async def test_domain_already_added_by_the_same_enterprise_says_where(
    registry: DomainRegistry, enterprise: Enterprise
) -> None:
    first = await registry.add(enterprise.id, "例子.中国", ACTOR)
    with pytest.raises(DomainAlreadyAdded) as caught:
        await registry.add(enterprise.id, "xn--fsqu00a.xn--fiqs8s", ACTOR)
    assert caught.value.params == {"domain": "例子.中国", "domain_id": first.id}


async def test_unknown_enterprise_cannot_add_a_domain(registry: DomainRegistry) -> None:
    with pytest.raises(EnterpriseNotFound):
        await registry.add(404, "example.com", ACTOR)


async def test_domains_are_listed_and_found_by_any_spelling(
    registry: DomainRegistry, enterprise: Enterprise
) -> None:
    b = await registry.add(enterprise.id, "b.example", ACTOR)
    a = await registry.add(enterprise.id, "例子.中国", ACTOR)
    assert await registry.list_domains(enterprise.id) == [b, a]
    assert (await registry.find(enterprise.id, "例子.中国."), await registry.get(enterprise.id, b.id)) == (
        a,
        b,
    )


async def test_find_does_not_reveal_another_enterprises_domain(
    factory: DirectoryFactory, registry: DomainRegistry, enterprise: Enterprise
) -> None:
    await registry.add(enterprise.id, "example.com", ACTOR)
    other = await factory.enterprise()
    with pytest.raises(DomainNotFound):
        await registry.find(other.id, "example.com")


async def test_unused_domain_is_removed(registry: DomainRegistry, enterprise: Enterprise) -> None:
    domain = await registry.add(enterprise.id, "example.com", ACTOR)
    await registry.remove(enterprise.id, domain.id, ACTOR)
    assert await registry.list_domains(enterprise.id) == []


async def test_domain_in_use_cannot_be_removed_and_says_by_what(
    factory: DirectoryFactory, registry: DomainRegistry, enterprise: Enterprise
) -> None:
    d, eid = factory.directory, enterprise.id
    domain = await registry.add(eid, "example.com", ACTOR, trust=True)
    member = await factory.member(eid)
    mailbox = await d.mailboxes.open(eid, member.id, domain.id, ACTOR)
    recycled = await d.shared_mailboxes.create(eid, domain.id, "old", "Old", ACTOR)
    await d.mailboxes.close(eid, recycled.mailbox.id, ACTOR)
    await d.aliases.add(eid, mailbox.id, domain.id, "boss", ACTOR)
    await d.groups.create(eid, domain.id, "all", "All", ACTOR)
    with pytest.raises(DomainInUse) as caught:
        await registry.remove(eid, domain.id, ACTOR)
    assert caught.value.params == {"mailboxes": 2, "aliases": 1, "groups": 1}
