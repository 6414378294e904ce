"""The address registry's race guard: a duplicate reservation is reported, and the transaction goes on."""

from __future__ import annotations

from support.factories import DirectoryFactory, Tenant
from yunmail.storage import Database
from yunmail.storage.repos import addresses as address_rows


async def test_duplicate_reservation_returns_false_and_the_transaction_stays_usable(
    db: Database, factory: DirectoryFactory, tenant: Tenant
) -> None:
    mailbox = await factory.mailbox(tenant, local_part="taken")
    eid = tenant.enterprise.id
    async with db.transaction() as conn:
        duplicate = await address_rows.reserve(
            conn, address=mailbox.address, enterprise_id=eid, kind="alias", mailbox_id=mailbox.id
        )
        fresh = await address_rows.reserve(
            conn,
            address=f"fresh@{tenant.domain.name}",
            enterprise_id=eid,
            kind="alias",
            mailbox_id=mailbox.id,
        )
    async with db.read() as conn:
        holders = await address_rows.taken(conn, [mailbox.address, f"fresh@{tenant.domain.name}"])
    assert (duplicate, fresh, holders) == (False, True, {mailbox.address, f"fresh@{tenant.domain.name}"})
