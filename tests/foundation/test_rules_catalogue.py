"""The rules catalogue (docs/rules.md) and the code cite the same rule IDs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "cambridge_results"
CATALOGUE = ROOT / "docs" / "rules.md"
RULE_ID = re.compile(r"\b(?:CRW|ASC|LOG|EAR)-[0-9]{2}\b")
# A catalogue row: "| CRW-05 | what the rule asks | where it lives |".
ROW = re.compile(r"^\| ((?:CRW|ASC|LOG|EAR)-[0-9]{2}) \|(.*)$", re.MULTILINE)
NOT_BUILT = "not built yet"


def _ids_in_source() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*"):
        if path.is_file() and path.suffix in {".py", ".json"}:
            found.update(RULE_ID.findall(path.read_text(encoding="utf-8")))
    return found


def _rows() -> dict[str, str]:
    return dict(ROW.findall(CATALOGUE.read_text(encoding="utf-8")))


def test_every_rule_the_code_cites_is_in_the_catalogue() -> None:
    """Each rule ID named anywhere in src/ has a row in docs/rules.md."""
    missing = _ids_in_source() - set(_rows())
    assert not missing, f"add to docs/rules.md: {sorted(missing)}"


def test_every_rule_in_the_catalogue_is_cited_by_the_code_unless_not_built() -> None:
    """Each catalogue row's ID appears in src/, except rows that say the rule is not built yet."""
    cited = _ids_in_source()
    rows = _rows()
    uncited = {rule for rule, text in rows.items() if NOT_BUILT not in text} - cited
    assert not uncited, f"no code cites {sorted(uncited)}: build them or mark them {NOT_BUILT!r}"
    stale = {rule for rule, text in rows.items() if NOT_BUILT in text} & cited
    assert not stale, f"the code now cites {sorted(stale)}: say where they live in docs/rules.md"


def test_the_catalogue_lists_each_rule_once_and_in_order() -> None:
    """No rule has two rows, and each area's rules are numbered without a gap."""
    ids = [rule for rule, _ in ROW.findall(CATALOGUE.read_text(encoding="utf-8"))]
    assert len(ids) == len(set(ids))
    for area in ("CRW", "ASC", "LOG", "EAR"):
        numbers = [int(rule[4:]) for rule in ids if rule.startswith(area)]
        assert numbers == list(range(1, len(numbers) + 1)), area


def test_every_module_the_catalogue_points_to_exists() -> None:
    """Each `path.py` or `folder/` a catalogue entry names is in src/cambridge_results."""
    text = CATALOGUE.read_text(encoding="utf-8")
    named = re.findall(r"`([a-z_]+(?:/[a-z_*]+)*(?:\.py|\.json|/))`", text)
    # Paths are relative to src/cambridge_results/; the repository's own folders are not.
    paths = {p for p in named if p.split("/")[0] not in {"src", "tests", "docs"}}
    assert paths, "the catalogue names no module"
    missing = sorted(p for p in paths if not any(PACKAGE.glob(p.rstrip("/"))))
    assert not missing, f"docs/rules.md names modules that do not exist: {missing}"
