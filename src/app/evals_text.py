"""The `evals check` document as text for a person: one line per rule, numbers rounded.

Every value that comes from the book (headings, phrases, patterns, ids) is shown with its
control characters escaped, so a hostile eval file cannot move the terminal's cursor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def shown(text: object) -> str:
    """`text` with each character that is not printable written as an escape."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def listed(items: Iterable[object]) -> str:
    """`a, b, c`, or `none`."""
    return ", ".join(shown(item) for item in items) or "none"


def buckets(groups: Mapping[str, list[str]]) -> str:
    """`bucket: a, b; other: c`, or `none`."""
    return "; ".join(f"{shown(name)}: {listed(items)}" for name, items in groups.items()) or "none"


def book_lines(book: Mapping[str, Any]) -> list[str]:
    tol, sentence, hype = book["tolerances"], book["sentence_length"], book["hype"]
    return [
        "Every chapter:",
        f"  forbidden phrases (chapter-quality): {buckets(book['forbidden_phrases'])}",
        f"  forbidden phrases (style-guard): {buckets(book['style_forbidden'])}",
        f"  sentences: over {sentence['max_words']} words reported, "
        f"over {sentence['hard_fail_over']} words fail",
        f"  adjective density: at most {book['adjective_density_max_ratio']:.2f}",
        f"  hype keywords: {listed(hype['keywords'])}",
        f"  hype patterns: {listed(hype['patterns'])}",
        f"  anchors: {listed(book['anchors'])} (window {tol['window_tokens']} words, "
        f"full drift at {tol['anchor_drift']:.2f})",
        f"  repetition: counts fully at repeated sentences {tol['duplicate_sentence_ratio']:.2f}"
        f" or repeated {tol['ngram_size']}-grams {tol['ngram_duplicate_ratio']:.2f}",
        f"  near copy: similarity {tol['cross_chapter_similarity']:.2f} or more to another chapter",
        f"  drift score: at most {book['drift_max_score']:.2f}, and no hype hit",
        f"  exempt chapters: {listed(book['exempt_chapters'])}",
    ]


def section(scored: Mapping[str, Any]) -> str:
    return f"{shown(scored['name'])}: {listed(scored['headings'])}, {scored['min_chars']}+ chars"


def same_rules(chapters: Iterable[Mapping[str, Any]]) -> list[tuple[list[str], Mapping[str, Any]]]:
    """The chapters grouped by equal rules, groups in the order of their first chapter."""
    groups: list[tuple[list[str], Mapping[str, Any]]] = []
    for chapter in chapters:
        rules = {k: v for k, v in chapter.items() if k != "chapter_id"}
        match = next((ids for ids, seen in groups if seen == rules), None)
        if match is None:
            groups.append(([chapter["chapter_id"]], rules))
        else:
            match.append(chapter["chapter_id"])
    return groups


def chapter_lines(chapter_ids: list[str], rules: Mapping[str, Any]) -> list[str]:
    name = ("Chapter " if len(chapter_ids) == 1 else "Chapters ") + listed(chapter_ids)
    if rules["exempt"]:
        return [f"{name}: exempt (no required headings, no scored sections)"]
    return [
        f"{name}:",
        f"  required headings: {listed(rules['required_headings'])}",
        "  scored sections:" + ("" if rules["scored_sections"] else " none"),
        *(f"    {section(s)}" for s in rules["scored_sections"]),
        f"  section scores total: at least {rules['refine_min_total']:.2f}",
    ]


def verdict(report: Mapping[str, Any]) -> str:
    return "pass" if report["pass"] else "fail"


def check_lines(check: Mapping[str, Any], threshold: float) -> list[str]:
    result = check["deterministic"]
    others = [
        f"{shown(s['chapter_id'])} {s['cosine']:.2f}"
        + (" (near copy)" if s["cosine"] >= threshold else "")
        for s in check["similarities"]
    ]
    return [
        f"Chapter {shown(check['chapter_id'])} as it is now ({shown(check['path'])}):",
        f"  chapter-quality: {verdict(result['chapter_quality'])} "
        f"(section scores total {result['chapter_quality']['total']:.2f})",
        f"  style-guard: {verdict(result['style_guard'])}",
        f"  drift-detection: {verdict(result['drift_detection'])} "
        f"(drift score {result['drift_score']:.2f})",
        *(f"  failed {shown(line)}" for line in check["failed_checks"]),
        f"  similarity to the other chapters: {listed(others)}",
    ]


def report_text(document: Mapping[str, Any]) -> str:
    """The whole report, one rule per line."""
    lines = book_lines(document["book"])
    for chapter_ids, rules in same_rules(document["chapters"]):
        lines += ["", *chapter_lines(chapter_ids, rules)]
    warnings = document["warnings"]
    lines += ["", f"Warnings: {len(warnings)}" if warnings else "Warnings: none"]
    lines += [f"  {line}" for line in warnings]
    if document["check"] is not None:
        threshold = document["book"]["tolerances"]["cross_chapter_similarity"]
        lines += ["", *check_lines(document["check"], threshold)]
    return "\n".join(lines) + "\n"
