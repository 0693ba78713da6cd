"""`pipeline validate` names the problems of every stage in one run (issue 26, part 3).

Before, a problem in one file's schema (a bad link) stopped validation before the
cross-file rules and the pictures ran, so a missing picture and a figure that differs
between languages only showed up once the link was fixed.
"""

from __future__ import annotations

from pathlib import Path

FIGURE = "      - figure:\n          src: map.png\n          alt: {alt}\n          width: {width}\n"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_bad_link_a_missing_picture_and_a_figure_mismatch_are_named_together(fixture_copy, run_cli):
    edit(fixture_copy, "en/alpha.yaml", "of their income from *beta* activities.",
         "of their income from [beta](http://example.org/beta) activities.")
    edit(fixture_copy, "en/beta.yaml", "      - quote:\n",
         FIGURE.format(alt="A map of the ports.", width=60) + "      - quote:\n")
    edit(fixture_copy, "fr/beta.yaml", "      - quote:\n",
         FIGURE.format(alt="Une carte des ports.", width=50) + "      - quote:\n")
    (fixture_copy / "assets").mkdir()
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1
    root = fixture_copy
    assert result.stderr.removeprefix("Error: ").splitlines() == [
        f"{root}/en/alpha.yaml:9: sections[0].blocks[0]: link target 'http://example.org/beta' uses http:; "
        "only https:// and mailto: links are allowed",
        f"{root}/en/beta.yaml:12: sections[0].blocks[1].figure.src: file not found: assets/en/map.png or "
        "assets/map.png",
        f"{root}/fr/beta.yaml:11: sections[0].blocks[1].figure: differs from en: figure map.png at 50% of the "
        "column here, figure map.png at 60% of the column in content/en/beta.yaml:11",
        f"{root}/fr/beta.yaml:12: sections[0].blocks[1].figure.src: file not found: assets/fr/map.png or "
        "assets/map.png",
        "4 content problems found",
    ]


def test_a_topic_that_fails_is_not_also_reported_missing(fixture_copy, run_cli):
    """A file left out of the cross-file rules (it failed) must not cause their messages."""
    edit(fixture_copy, "en/beta.yaml", "lead: Beta", "lead: *Beta*")
    edit(fixture_copy, "fr/_strings.yaml", "language: fr", "language: 7")
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1
    assert result.stderr.removeprefix("Error: ").splitlines() == [
        f"{fixture_copy}/en/beta.yaml:3: quote this text: a text that starts with * is read as a YAML alias; "
        "put it all in double quotes, or run 'pipeline fmt'",
        f"{fixture_copy}/fr/_strings.yaml:2: language: Input should be a valid string",
        "2 content problems found",
    ]


def test_without_an_assets_folder_a_figure_says_to_create_it(fixture_copy, run_cli):
    for lang, alt in (("en", "A map."), ("fr", "Une carte.")):
        figure = FIGURE.format(alt=alt, width=60)
        edit(fixture_copy, f"{lang}/beta.yaml", "      - quote:\n", figure + "      - quote:\n")
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1
    for lang in ("en", "fr"):
        assert (f"{fixture_copy}/{lang}/beta.yaml:12: sections[0].blocks[1].figure.src: file not found: there is "
                "no folder assets/ in the content folder yet: create it and put map.png in it") in result.stderr
