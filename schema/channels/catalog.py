"""The console's channel catalog fixture (frontend/src/features/channels/catalog.fixture.json).

Every channel type with its config and binding field names, the fields that have help text and the
SELECT options (those two as "config.<name>" / "binding.<name>"). The console's tests check its
words (English and Chinese) against it, so a type or field added here without words fails them.
`make channel-catalog` writes it; tests/schema/channels/test_catalog_fixture.py fails while the
committed file differs from what this module makes.
"""

from __future__ import annotations

import json
from typing import Any

from schema.channels.registry import all_channel_types

FIXTURE = "frontend/src/features/channels/catalog.fixture.json"


def console_catalog() -> list[dict[str, Any]]:
    catalog = []
    for kind in all_channel_types():
        both = [("config", f) for f in kind.config_fields()] + [("binding", f) for f in kind.binding_fields()]
        catalog.append(
            {
                "key": kind.key,
                "configFields": [f.name for f in kind.config_fields()],
                "bindingFields": [f.name for f in kind.binding_fields()],
                "withHelp": [f"{section}.{f.name}" for section, f in both if f.help],
                "options": {f"{section}.{f.name}": list(f.options) for section, f in both if f.options},
            }
        )
    return catalog


def catalog_json() -> str:
    return json.dumps(console_catalog(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(catalog_json(), end="")
