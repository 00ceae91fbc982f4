"""Admin activity log (append-only) and the persisted chat switch.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 19:46:51.477345
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Rows of the activity log are written once and never changed, even by hand.
# Two statements: asyncpg runs one command per execute.
REFUSE_CHANGES = """
CREATE FUNCTION admin_activity_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'admin_activity_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""
APPEND_ONLY = """
CREATE TRIGGER admin_activity_log_append_only
    BEFORE UPDATE OR DELETE ON admin_activity_log
    FOR EACH ROW EXECUTE FUNCTION admin_activity_log_append_only()
"""


def _activity_log() -> None:
    op.create_table(
        "admin_activity_log",
        sa.Column("admin_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_type", sa.String(length=30), nullable=True),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=255), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_activity_log")),
    )
    indexes = {
        "ix_admin_activity_log_action_created": ["action", "created_at"],
        "ix_admin_activity_log_admin_created": ["admin_id", "created_at"],
        "ix_admin_activity_log_created_at": ["created_at"],
        "ix_admin_activity_log_target": ["target_type", "target_id"],
    }
    for name, columns in indexes.items():
        op.create_index(name, "admin_activity_log", columns, unique=False)
    op.execute(REFUSE_CHANGES)
    op.execute(APPEND_ONLY)


def _system_state() -> None:
    op.create_table(
        "system_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("chat_enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("maintenance", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_system_state_single_row")),
        sa.CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at",
            name=op.f("ck_system_state_window_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_system_state_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_system_state")),
    )


def upgrade() -> None:
    _activity_log()
    _system_state()


def downgrade() -> None:
    op.drop_table("system_state")
    # Dropping the table drops its trigger and indexes; the function stays.
    op.drop_table("admin_activity_log")
    op.execute("DROP FUNCTION admin_activity_log_append_only()")
