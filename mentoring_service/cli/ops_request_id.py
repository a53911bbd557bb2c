"""Request ids that make a repeated command harmless.

The default id is derived from the command, its target and the request itself,
so running the same command again (say after a timeout) sends the same id, and
the workflow returns the first result instead of acting twice.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel


def derived_request_id(command: str, workflow_id: str, request: BaseModel) -> str:
    """``<command>-<12 hex digits>``: sha256 over the command, workflow id and request fields."""
    fields = request.model_dump(mode="json", exclude={"request_id"})
    canonical = json.dumps([command, workflow_id, fields], sort_keys=True, ensure_ascii=False)
    return f"{command}-{hashlib.sha256(canonical.encode()).hexdigest()[:12]}"
