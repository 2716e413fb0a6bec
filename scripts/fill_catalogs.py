"""Maintainers' tool: fill translations/{ja,en} from the extracted .pot.

English msgids are the source text, so the English catalog repeats them; Japanese strings come
from JSON files mapping msgid -> translation (what a translator hands back). Existing Japanese
translations are kept. Usage: python scripts/fill_catalogs.py [ja-json ...]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "translations" / "messages.pot"


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _load(locale: str) -> Catalog | None:
    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def main(json_paths: list[str]) -> int:
    with POT.open("rb") as fh:
        template = read_po(fh)
    japanese: dict[str, str] = {}
    previous = _load("ja")
    if previous is not None:
        for m in previous:
            if m.id and m.string and not m.fuzzy:
                japanese[_key(m)] = m.string[0] if isinstance(m.string, tuple) else m.string
    for path in json_paths:
        japanese.update(json.loads(Path(path).read_text(encoding="utf-8")))
    missing = []
    for locale in ("ja", "en"):
        catalog = Catalog(locale=locale, project="Hiroba", charset="utf-8", fuzzy=False)
        for m in template:
            if not m.id:
                continue
            if locale == "en":
                string = m.id if isinstance(m.id, tuple) else m.id
            else:
                text = japanese.get(_key(m))
                if text is None:
                    missing.append(_key(m))
                    text = ""
                string = (text,) if isinstance(m.id, tuple) else text
            catalog.add(m.id, string, flags=[f for f in m.flags if f != "fuzzy"])
        out = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as fh:
            write_po(fh, catalog, omit_header=False, sort_output=True, width=100)
    if missing:
        print(f"{len(missing)} messages still need a Japanese translation:")
        for text in missing[:50]:
            print("  ", text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
