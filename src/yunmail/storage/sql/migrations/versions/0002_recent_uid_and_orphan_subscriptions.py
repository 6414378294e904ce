"""folders.recent_uid (IMAP \\Recent) and orphan_subscriptions

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 23:10:46.918435
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orphan_subscriptions",
        sa.Column("mailbox_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["mailboxes.id"],
            name=op.f("fk_orphan_subscriptions_mailbox_id_mailboxes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mailbox_id", "name", name=op.f("pk_orphan_subscriptions")),
    )
    with op.batch_alter_table("folders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recent_uid", sa.BigInteger(), server_default="1", nullable=False))
    # Messages stored before this revision are not recent for anyone.
    op.execute("UPDATE folders SET recent_uid = uidnext")


def downgrade() -> None:
    with op.batch_alter_table("folders", schema=None) as batch_op:
        batch_op.drop_column("recent_uid")
    op.drop_table("orphan_subscriptions")
