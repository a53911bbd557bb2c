"""docs/configuration.md lists every setting the code reads, with the code's default,
and no variable the code does not read."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

from pydantic_settings import BaseSettings

from devstack.settings import DevstackSettings
from mentoring_service import settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
# A table row that starts with a variable: | `NAME` | default | ...
ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \| ([^|]*) \|", re.MULTILINE)
CLASSES: tuple[type[BaseSettings], ...] = (*settings.ALL, DevstackSettings)


def documented() -> dict[str, str]:
    rows = ROW.findall(DOC.read_text(encoding="utf-8"))
    names = [name for name, _ in rows]
    assert len(names) == len(set(names)), f"listed twice: {sorted({n for n in names if names.count(n) > 1})}"
    return {name: default.strip() for name, default in rows}


def read_by_the_code() -> dict[str, object]:
    defaults: dict[str, object] = {}
    for kind in CLASSES:
        for field, info in kind.model_fields.items():
            name = settings.env_var(kind, field)
            assert name not in defaults, f"{name} is read by two settings classes"
            defaults[name] = info.default
    return defaults


def shown(default: object) -> str:
    """A default as the table writes it."""
    if default is None or default == "":
        return "unset"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, Enum):
        return f"`{default.value}`"
    if isinstance(default, float) and default.is_integer():
        return f"`{int(default)}`"
    return f"`{default}`"


def test_every_setting_is_in_the_table_and_every_row_is_a_setting():
    in_doc, in_code = set(documented()), set(read_by_the_code())
    assert sorted(in_code - in_doc) == [], "settings missing from docs/configuration.md"
    assert sorted(in_doc - in_code) == [], "rows of docs/configuration.md that no settings class reads"


def test_the_table_gives_each_default_as_the_code_has_it():
    table = documented()
    code = {name: shown(default) for name, default in read_by_the_code().items()}
    wrong = {name: (table[name], default) for name, default in code.items() if table[name] != default}
    assert wrong == {}, "variable: (in the table, in the code)"


def test_every_variable_name_is_the_one_pydantic_settings_reads(monkeypatch):
    checked = []
    for kind in CLASSES:
        for field, info in kind.model_fields.items():
            if info.annotation is not str:
                continue
            monkeypatch.setenv(settings.env_var(kind, field).lower(), "from-the-environment")  # any case
            assert getattr(kind(), field) == "from-the-environment", settings.env_var(kind, field)
            checked.append(field)
    assert "codec_tokens" in checked and "smtp_host" in checked
