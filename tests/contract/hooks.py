"""Schemathesis hooks for the contract test (loaded through SCHEMATHESIS_HOOKS by run.py).

A blob chunk (`PATCH /api/v1/blobs/{sha256}`) is sent as `application/offset+octet-stream`,
raw bytes like `application/octet-stream`, which Schemathesis knows; the alias tells it so.
"""

import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
