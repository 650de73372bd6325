"""The schema revision this version of 村务通 writes.

Kept as a constant so that opening an up-to-date database needs neither
Alembic nor a look at the migration scripts (start-up stays fast). A test
checks it equals the head of ``db/migrations/versions``: bump it with every
new revision.
"""

HEAD_REVISION = "0005"
