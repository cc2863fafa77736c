"""The example chapter `init` writes for the author's own headings: one neutral section each."""

from __future__ import annotations

EXAMPLE_ID = "01-example"
EXAMPLE_TITLE = "Example chapter"
EXAMPLE_HYPOTHESIS = (
    "A chapter with one focused section per heading, each backed by facts a reader can check, "
    "is easier to follow and to refine than one long text."
)

# One distinct paragraph per section (no sentence or five-word run repeats, so the drift eval
# passes), each over the default 120 characters, short sentences, no hype.
PARAGRAPHS = (
    "This chapter is an example that shows the shape of your book. Each section sits under one "
    "of your headings and passes the checks. Drop it with state-runner chapters remove "
    f"{EXAMPLE_ID} --delete-file once your own chapters exist.",
    "A section like this one holds one idea and the facts that support it. Write it for a "
    "reader who has the book open and a task in front of them.",
    "Numbers help a reader check what you say. Give amounts, times and sizes where they "
    "matter, and say where each number comes from.",
    "Short sentences are easier to follow than long ones. The style check reports a sentence "
    "over 28 words and fails one over 40 words.",
    "The kernel refines one chapter at a time. The planner picks a section, the writer edits "
    "it, and the critic judges the result against the evals.",
    "Headings stay fixed while a chapter is refined. Change them in evals/chapter-quality.yaml "
    "first, then in each chapter, and commit both together.",
    "A reader should finish this section knowing what to do next. End with a step they can "
    "take at once, or a sign that tells them they got it right.",
    "Keep each term in one sense across the whole book. If a word means two things, pick one "
    "meaning and name the other thing differently.",
    "Mistakes teach as much as steps do. Name what tends to go wrong here, how a reader "
    "notices it, and what they can do to recover.",
    "Sources make a claim worth trusting. Point to a book, a test you ran or a measurement, "
    "and keep the list short enough to read.",
    "Pictures and tables can replace a paragraph of prose. Describe what each one shows in a "
    "sentence, so the text still works without it.",
    "The last section of a chapter can point ahead. Say which chapter builds on this one and "
    "what question it answers for the reader.",
)


def example_chapter(headings: list[str]) -> str:
    """The example chapter's markdown: the title, then each heading with its own paragraph."""
    sections = "".join(
        f"{heading}\n\n{paragraph}\n\n"
        for heading, paragraph in zip(headings, PARAGRAPHS[: len(headings)], strict=True)
    )
    return f"# {EXAMPLE_TITLE}\n\n{sections}".rstrip() + "\n"
