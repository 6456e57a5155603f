"""Differential test: our renderer against Apache FreeMarker 2.3.34 itself (the oracle in
`dev/freemarker`), on a realistic corpus and a generated one.

Agreement means the same output, or both failing with our error code matching the class of
FreeMarker's error: a parse error is TEMPLATE_SYNTAX_ERROR, a missing value or any other
template error while rendering is TEMPLATE_METADATA_ERROR.

Run the figures by hand with `python3 -m tests.template.test_freemarker_differential`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from tests.template import corpus_generated, corpus_locales, corpus_realistic, freemarker_oracle
from worker.errors import ConnectorError, ErrorCode
from worker.template import render
from worker.template.builtins import BUILTIN_ARITIES

EXPECTED_CODE = {
    "parse": ErrorCode.TEMPLATE_SYNTAX_ERROR,
    "missing": ErrorCode.TEMPLATE_METADATA_ERROR,
    "other": ErrorCode.TEMPLATE_METADATA_ERROR,
}


@dataclass(frozen=True)
class KnownDifference:
    """One entry of the README's "Differences from FreeMarker": why we differ, which templates
    it concerns (left out of the agreement figures), and an example the oracle must confirm."""

    reason: str
    applies: Callable[[str], bool]
    example: str
    metadata: Mapping[str, Any]


# The README's list, and nothing else. `test_known_differences_are_real` keeps it honest.
KNOWN_DIFFERENCES: list[KnownDifference] = [
    KnownDifference(
        "?url and ?url_path without a charset argument use UTF-8; FreeMarker fails unless the "
        "application sets url_escaping_charset or output_encoding",
        lambda template: re.search(r"\?url(_path)?(?!\w|\s*\()", template) is not None,
        "${s?url}",
        {"s": "a b"},
    ),
    KnownDifference(
        "scientific number patterns (E) are refused (a template error)",
        lambda template: re.search(r"\?string\s*[(\[]\s*[\"'][^\"']*[0#]E", template) is not None,
        '${1234?string("0.0E0")}',
        {},
    ),
    KnownDifference(
        "FreeMarker's extended number pattern options (;; roundingMode=...) are refused",
        lambda template: ";;" in template,
        '${1.125?string("0.00;; roundingMode=halfUp")}',
        {},
    ),
    KnownDifference(
        "date pattern letters for weeks (w, W, F) are refused (a template error)",
        lambda template: re.search(r"\?string\s*[(\[]\s*[\"'][^\"']*[wWF]", template) is not None,
        '${"2024-03-09"?date.iso?string("w")}',
        {},
    ),
    KnownDifference(
        "an impossible date (2024-02-30) is refused; Java's lenient parsing rolls it over",
        lambda template: False,  # depends on the metadata; the corpora's dates are valid
        '${d?date("yyyy-MM-dd")}',
        {"d": "2024-02-30"},
    ),
    KnownDifference(
        "slicing and indexing strings counts code points: an emoji is never cut in half",
        lambda template: False,  # the corpora hold no characters outside the BMP
        "${s[0..*2]}",
        {"s": "😀😀"},
    ),
    KnownDifference(
        "?string.<name> takes the styles, iso and xs formats with their options as names; "
        "FreeMarker also takes a Java date pattern there (?string.yyyy)",
        lambda template: any(
            f"string.{name}" not in BUILTIN_ARITIES
            for name in re.findall(r"\?string\.([A-Za-z_]\w*)", template)
        ),
        "${d?date.iso?string.yyyy}",
        {"d": "2024-09-05"},
    ),
    KnownDifference(
        "the legacy zone ids (CET, EET, MET, WET, EST, MST, HST, EST5EDT, CST6CDT, MST7MDT, "
        "PST8PDT) print the names of their region's zone, and Europe/Istanbul today's CLDR name "
        "(Türkiye Standard Time); Java prints its runtime's own older names for them (Central "
        "European Time, Östliche Normalzeit, Turkey Time)",
        lambda template: (
            re.search(
                r"time_zone\s*=\s*[\"']"
                r"(CET|EET|MET|WET|EST|MST|HST|EST5EDT|CST6CDT|MST7MDT|PST8PDT|Europe/Istanbul)[\"']",
                template,
            )
            is not None
        ),
        '<#setting time_zone="CET">${d?datetime.iso?string("zzzz")}',
        {"d": "2024-01-05T10:00:00Z"},
    ),
    KnownDifference(
        "parsing zone names (pattern letter z, the long and full styles) is refused",
        lambda template: (
            re.search(r"\?(date|time|datetime)\s*\(\s*[\"'][^\"']*z", template) is not None
        ),
        '${d?datetime("yyyy-MM-dd HH:mm z")}',
        {"d": "2024-01-05 10:00 CET"},
    ),
    KnownDifference(
        "regular expressions outside the supported Java subset (back references in "
        "case-insensitive patterns or to groups not yet defined, nested classes, &&, \\G, the "
        "d/u/U flags, \\p{...} other than categories and POSIX classes) are refused (a template "
        "error)",
        lambda template: (
            re.search(r"\\[1-9k]", template) is not None
            and re.search(r"'r?if?'|\(\?i", template) is not None
        ),
        "${s?matches('(a)\\\\1', 'i')?c}",
        {"s": "aA"},
    ),
    KnownDifference(
        "JSON decimals print with the shortest digits (Java 19+); Java 17's Double.toString "
        "sometimes adds a digit",
        lambda template: False,  # the corpora's decimals print alike
        "${x?c}",
        {"x": 8.41e21},
    ),
    KnownDifference(
        ".error inside <#recover> is our error message, not FreeMarker's (its wording, tips and "
        "stack trace)",
        lambda template: (
            "<#recover>" in template
            and re.search(r"\.error(?!\?has_content)", template) is not None
        ),
        "<#attempt>${x}<#recover>${.error}</#attempt>",
        {},
    ),
    KnownDifference(
        ".locale_object and .get_optional_template are refused (a syntax error): a Java object, "
        "and template loading",
        lambda template: (
            re.search(r"\.(locale_?[oO]bject|get_?[oO]ptional_?[tT]emplate)", template) is not None
        ),
        "${.locale_object}",
        {},
    ),
    KnownDifference(
        "<@.pass/> is printed as text (calls of special-variable macros are not supported)",
        lambda template: "<@." in template,
        "<@.pass/>x",
        {},
    ),
    KnownDifference(
        "a lazily computed ?filter/?take_while/?drop_while compared by ?size (?size > 0) is "
        "computed in full: an error in an item FreeMarker does not need to count fails",
        lambda template: False,  # the corpora's lambdas fail on the first item or on none
        "${([1, 'x']?filter(x -> x > 0)?size > 0)?c}",
        {},
    ),
    KnownDifference(
        "<#sep> and ?has_next on a lazily computed sequence compute the next item: an error in "
        "it fails even when <#break> leaves the loop first",
        lambda template: False,  # the corpora's lambdas fail on the first item or on none
        "<#list [1, 'x']?map(x -> x * 2) as v>${v}<#sep>,</#sep><#break></#list>",
        {},
    ),
    KnownDifference(
        "?url and ?url_path refuse charsets that are not ASCII-compatible (UTF-16, UTF-32): "
        "FreeMarker passes the characters needing no escape through and encodes the others run "
        "by run",
        lambda template: re.search(r"UTF-?(16|32)", template, re.IGNORECASE) is not None,
        '<#setting url_escaping_charset="UTF-16">${"a ä"?url}',
        {},
    ),
    KnownDifference(
        "string built-ins on a boolean fail even when boolean_format is set; FreeMarker then "
        "converts the boolean to its text first",
        lambda template: False,  # the corpora apply no string built-in to a boolean
        '<#setting boolean_format="yes,no">${true?upper_case}',
        {},
    ),
    KnownDifference(
        "a macro's name is not a variable: metadata of the same name is read where FreeMarker "
        "finds the macro (templates give their macros names the metadata does not use)",
        lambda template: False,  # no corpus template names a macro as its metadata
        "<#macro greet>hi</#macro>${greet?is_macro?c}",
        {"greet": "x"},
    ),
    KnownDifference(
        "a group of a failed whole-string ?matches tested with ?? is true (FreeMarker fails: "
        "reading it is an error in both)",
        lambda template: False,  # the corpora read groups of matches that took place
        '${("ab"?matches("x(y)")?groups[1])???c}',
        {},
    ),
    KnownDifference(
        "\\b treats a combining mark after a letter as a word boundary; Java 17 counts it as "
        "part of the word",
        lambda template: False,  # the corpora's texts have no combining marks
        '${s?replace("\\\\b", "|", "r")}',
        {"s": "e\u0301x y"},
    ),
    KnownDifference(
        "zones whose IANA abbreviation is an offset and that Java 17 names anyway print the "
        "offset unless listed (America/Asuncion: Java PYST, Africa/Casablanca: Java WEST)",
        lambda template: re.search(r"Asuncion|Casablanca", template) is not None,
        '<#setting time_zone="America/Asuncion">${d?datetime.iso?string("z")}',
        {"d": "2024-01-05T10:00:00Z"},
    ),
    KnownDifference(
        "?lower_abc/?upper_abc beyond 321,272,406 are refused; FreeMarker's int place values "
        "overflow there (garbage letters; from 2^31 - 1 on a render that never ends)",
        lambda template: False,  # the corpora's numbers stay far below
        "${400000000?upper_abc}",
        {},
    ),
    KnownDifference(
        "?number_to_date/_time/_datetime outside 1582-10-15 .. 9999-12-31 are refused; Java "
        "prints the Julian calendar before, and years past 9999",
        lambda template: False,  # the corpora's epoch milliseconds are recent dates
        "${253402300800000?number_to_datetime}",
        {},
    ),
    KnownDifference(
        "?eval_json refuses numbers beyond 100 digits or exponents (INVALID_INPUT) and a \\u "
        "escape of half a surrogate pair; FreeMarker reads both",
        lambda template: False,  # the corpora's JSON texts hold neither
        "${'[1e400]'?eval_json?size}",
        {},
    ),
]


def excluded_reason(template: str) -> str | None:
    return next((d.reason for d in KNOWN_DIFFERENCES if d.applies(template)), None)


REALISTIC_AGREEMENT = 1.0
GENERATED_AGREEMENT = 0.995
LOCALE_AGREEMENT = 1.0


@dataclass(frozen=True)
class Disagreement:
    template: str
    freemarker: str
    ours: str


@dataclass(frozen=True)
class Comparison:
    total: int
    excluded: int
    disagreements: list[Disagreement]

    @property
    def compared(self) -> int:
        return self.total - self.excluded

    @property
    def agreement(self) -> float:
        return 1 - len(self.disagreements) / self.compared if self.compared else 1.0

    def report(self, limit: int = 25) -> str:
        lines = [
            f"{self.compared - len(self.disagreements)}/{self.compared} agree "
            f"({self.agreement:.2%}; {self.excluded} excluded)"
        ]
        for item in self.disagreements[:limit]:
            lines.append(
                f"  {item.template!r}\n    FreeMarker: {item.freemarker}\n    ours: {item.ours}"
            )
        return "\n".join(lines)


def _ours(
    template: str, metadata: Mapping[str, Any], locale: str = "en_US", zone: str = "UTC"
) -> tuple[str | None, ErrorCode | None, str]:
    try:
        return render(template, metadata, locale=locale, time_zone=zone), None, ""
    except ConnectorError as error:
        return None, error.code, str(error)


def compare(
    cases: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    exclude: bool = True,
    locales: Sequence[str] | None = None,
    zone: str = "UTC",
    zones: Sequence[str] | None = None,
) -> Comparison:
    """`locales`: each case's locale (the worker's setting; default en_US); `zone` the time
    zone of them all, or `zones` each case's."""
    chosen_zones = list(zones) if zones is not None else [zone] * len(cases)
    answers = freemarker_oracle.render_batch(cases, locales, chosen_zones)
    chosen = locales or ["en_US"] * len(cases)
    excluded, disagreements = 0, []
    for (template, metadata), locale, zone, theirs in zip(
        cases, chosen, chosen_zones, answers, strict=True
    ):
        if exclude and excluded_reason(template) is not None:
            excluded += 1
            continue
        output, code, message = _ours(template, metadata, locale, zone)
        if theirs.error is None:
            agree = output == theirs.output
            expected = repr(theirs.output)
        else:
            agree = code is EXPECTED_CODE[theirs.error]
            expected = f"{theirs.error} error ({theirs.exception}: {theirs.message[:120]})"
        if not agree:
            ours = repr(output) if code is None else f"{code.value}: {message[:160]}"
            disagreements.append(Disagreement(template, expected, ours))
    return Comparison(len(cases), excluded, disagreements)


@pytest.fixture(scope="module")
def oracle() -> None:
    """Builds the oracle on first use. In CI a missing Java or Maven fails the test."""
    try:
        freemarker_oracle.build()
    except freemarker_oracle.OracleUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(str(error), pytrace=False)
        pytest.skip(str(error))


@pytest.mark.usefixtures("oracle")
def test_realistic_templates_render_exactly_as_in_freemarker() -> None:
    comparison = compare(corpus_realistic.cases())
    assert comparison.total >= 150
    assert comparison.agreement >= REALISTIC_AGREEMENT, comparison.report()


@pytest.mark.usefixtures("oracle")
def test_generated_templates_render_as_in_freemarker() -> None:
    comparison = compare(corpus_generated.cases())
    assert comparison.total >= 1000
    assert comparison.agreement >= GENERATED_AGREEMENT, comparison.report()


@pytest.mark.usefixtures("oracle")
@pytest.mark.parametrize("locale", corpus_locales.LOCALES)
def test_numbers_format_per_locale_as_in_freemarker(locale: str) -> None:
    cases = corpus_locales.cases(locale)
    comparison = compare(cases, locales=[locale] * len(cases))
    assert comparison.total >= 100
    assert comparison.agreement >= LOCALE_AGREEMENT, comparison.report()


@pytest.mark.usefixtures("oracle")
@pytest.mark.parametrize(("locale", "zone"), corpus_locales.ZONED)
def test_dates_read_and_print_in_the_time_zone_as_in_freemarker(locale: str, zone: str) -> None:
    cases = corpus_locales.zoned_cases()
    comparison = compare(cases, locales=[locale] * len(cases), zone=zone)
    assert comparison.agreement == 1.0, comparison.report()


@pytest.mark.usefixtures("oracle")
@pytest.mark.parametrize("locale", corpus_locales.LOCALES)
def test_zone_names_and_offsets_print_per_locale_as_in_freemarker(locale: str) -> None:
    cases, zones = zip(*corpus_locales.zone_name_cases(), strict=True)
    comparison = compare(list(cases), locales=[locale] * len(cases), zones=list(zones))
    assert comparison.compared >= 100
    assert comparison.agreement == 1.0, comparison.report()


@pytest.mark.usefixtures("oracle")
def test_known_differences_are_real() -> None:
    """Each listed difference is shown by the oracle on its example, and its example is one
    the exclusion would catch if it matches templates at all."""
    comparison = compare([(d.example, d.metadata) for d in KNOWN_DIFFERENCES], exclude=False)
    assert len(comparison.disagreements) == len(KNOWN_DIFFERENCES), comparison.report()


if __name__ == "__main__":  # pragma: no cover - figures for the README and reviews
    for label, corpus in (
        ("realistic", corpus_realistic.cases()),
        ("generated", corpus_generated.cases()),
    ):
        print(label, compare(corpus).report(limit=int(os.environ.get("SHOW", "40"))))
    for locale in corpus_locales.LOCALES:
        cases = corpus_locales.cases(locale)
        report = compare(cases, locales=[locale] * len(cases)).report(
            limit=int(os.environ.get("SHOW", "40"))
        )
        print(locale, report)
    for locale, zone in corpus_locales.ZONED:
        cases = corpus_locales.zoned_cases()
        report = compare(cases, locales=[locale] * len(cases), zone=zone).report()
        print(locale, zone, report)
    for locale in corpus_locales.LOCALES:
        named, zones = zip(*corpus_locales.zone_name_cases(), strict=True)
        report = compare(list(named), locales=[locale] * len(named), zones=list(zones)).report()
        print(locale, "zone names", report)
