"""DKIM keys of a domain: created on add, selector naming, rotation, the signer's lookup, records."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from domains.conftest import Site
from support.factories import ACTOR, DirectoryFactory
from yunmail.clock import FakeClock
from yunmail.domains import DkimKeys, DomainRegistry, selector_for
from yunmail.errors import DkimKeyActive, DkimKeyNotFound, DomainNotFound
from yunmail.mailauth.dkim import DkimAlgorithm
from yunmail.mailauth.records import RecordPurpose
from yunmail.storage import Database

NOV = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)


def test_selector_names_the_month_of_creation() -> None:
    assert selector_for(NOV, DkimAlgorithm.RSA) == "ym202611"


def test_ed25519_selector_is_marked_so_both_keys_can_live_side_by_side() -> None:
    assert selector_for(NOV, DkimAlgorithm.ED25519) == "ym202611e"


def test_second_key_in_the_same_month_gets_a_letter() -> None:
    assert selector_for(NOV, DkimAlgorithm.RSA, {"ym202611", "ym202611b"}) == "ym202611c"


async def test_added_domain_has_one_active_rsa_2048_key(site: Site) -> None:
    domain = await site.add()

    keys = await site.registry.keys.list_keys(site.enterprise_id, domain.id)

    selector = selector_for(site.clock.now(), DkimAlgorithm.RSA)
    public = serialization.load_der_public_key(base64.b64decode(keys[0].public_key))
    assert [(k.selector, k.algorithm, k.active) for k in keys] == [(selector, DkimAlgorithm.RSA, True)]
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048


async def test_signer_gets_the_private_half_of_the_published_key(site: Site) -> None:
    domain = await site.add()
    (key,) = await site.registry.keys.list_keys(site.enterprise_id, domain.id)

    (signing,) = await site.registry.keys.active_keys(domain.name)

    assert (signing.domain, signing.selector, signing.key.txt_value()) == (
        "acme.test",
        key.selector,
        key.txt_value,
    )


async def test_dual_signing_deployment_also_gives_an_ed25519_key(db: Database, clock: FakeClock) -> None:
    enterprise = await DirectoryFactory.build(db, clock).enterprise()
    registry = DomainRegistry(db, clock, keys=DkimKeys(db, clock, dual_sign=True))
    domain = await registry.add(enterprise.id, "acme.test", ACTOR)

    signing = await registry.keys.active_keys(domain.name)

    assert [k.key.algorithm for k in signing] == [DkimAlgorithm.RSA, DkimAlgorithm.ED25519]


async def test_full_mode_records_include_the_dkim_key_row(site: Site) -> None:
    domain = await site.add()
    (key,) = await site.registry.keys.list_keys(site.enterprise_id, domain.id)

    records = await site.registry.records(site.enterprise_id, domain.id, site.deployment)

    dkim = [r for r in records if r.purpose is RecordPurpose.DKIM]
    assert [(r.host, r.value, r.required) for r in dkim] == [
        (f"{key.selector}._domainkey.acme.test", key.txt_value, True)
    ]


async def test_rotated_key_is_listed_for_publishing_but_does_not_sign_yet(site: Site) -> None:
    domain = await site.add()
    old = (await site.registry.keys.active_keys(domain.name))[0]

    new = await site.registry.keys.rotate(site.enterprise_id, domain.id, ACTOR)

    records = await site.registry.records(site.enterprise_id, domain.id, site.deployment)
    listed = {r.host: r.required for r in records if r.purpose is RecordPurpose.DKIM}
    assert listed == {
        f"{old.selector}._domainkey.acme.test": True,
        f"{new.selector}._domainkey.acme.test": False,
    }
    assert [k.selector for k in await site.registry.keys.active_keys(domain.name)] == [old.selector]


async def test_activated_key_replaces_the_old_one_for_signing(site: Site) -> None:
    domain = await site.add()
    new = await site.registry.keys.rotate(site.enterprise_id, domain.id, ACTOR)

    await site.registry.keys.activate(site.enterprise_id, domain.id, new.selector, ACTOR)

    assert [k.selector for k in await site.registry.keys.active_keys(domain.name)] == [new.selector]


async def test_retiring_the_signing_key_is_refused(site: Site) -> None:
    domain = await site.add()
    (key,) = await site.registry.keys.list_keys(site.enterprise_id, domain.id)

    with pytest.raises(DkimKeyActive):
        await site.registry.keys.retire(site.enterprise_id, domain.id, key.selector, ACTOR)


async def test_retired_old_key_is_gone_from_the_records(site: Site) -> None:
    domain = await site.add()
    (old,) = await site.registry.keys.list_keys(site.enterprise_id, domain.id)
    new = await site.registry.keys.rotate(site.enterprise_id, domain.id, ACTOR)
    await site.registry.keys.activate(site.enterprise_id, domain.id, new.selector, ACTOR)

    await site.registry.keys.retire(site.enterprise_id, domain.id, old.selector, ACTOR)

    assert [k.selector for k in await site.registry.keys.list_keys(site.enterprise_id, domain.id)] == [
        new.selector
    ]


async def test_another_enterprise_cannot_activate_a_key_of_the_domain(site: Site) -> None:
    domain = await site.add()
    (key,) = await site.registry.keys.list_keys(site.enterprise_id, domain.id)

    with pytest.raises(DomainNotFound):
        await site.registry.keys.activate(site.enterprise_id + 1000, domain.id, key.selector, ACTOR)


async def test_activating_an_unknown_selector_fails_with_dkim_key_not_found(site: Site) -> None:
    domain = await site.add()

    with pytest.raises(DkimKeyNotFound):
        await site.registry.keys.activate(site.enterprise_id, domain.id, "nosuch", ACTOR)


async def test_removing_a_domain_removes_its_keys(site: Site) -> None:
    domain = await site.add()

    await site.registry.remove(site.enterprise_id, domain.id, ACTOR)

    assert await site.registry.keys.active_keys(domain.name) == []
