"""Fuzzing the parsers that read untrusted text: eval YAML, role JSON, replies.

Cases hypothesis found are pinned with `@example` so they stay covered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from state_runner.adapters.files.workspace import FsWorkspace
from state_runner.domain.contracts import parse_critic, parse_planner
from state_runner.domain.errors import KernelError
from state_runner.domain.evals import run_deterministic_evals, validate_eval_configs
from state_runner.domain.roles import extract_json_object

NAMES = ("chapter-quality", "style-guard", "drift-detection")
TEXT = (
    "# T\n## Thesis\nCaches trade freshness for speed. Stale reads happen.\n"
    "## Trade-offs\nA short TTL costs origin load. A long one costs freshness.\n"
)
yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.dates(),
    st.binary(max_size=4),
)
yaml_docs = st.recursive(
    yaml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "version",
                    "limits",
                    "sentence_length",
                    "max_words",
                    "hard_fail_over",
                    "adjective_density",
                    "max_ratio",
                    "forbidden",
                    "examples",
                    "hype",
                    "keywords",
                    "patterns",
                    "anchors",
                    "tolerances",
                    "pass",
                    "max_score",
                    "thresholds",
                    "refine_min_total",
                    "required_headings",
                    "section_min_chars",
                    "forbidden_phrases",
                    "ngram_size",
                    "window_tokens",
                ]
            )
            | st.text(max_size=6),
            inner,
            max_size=4,
        )
    ),
    max_leaves=10,
)


def evaluate(raw: dict[str, Any]) -> None:
    """Validate and run; only a KernelError may come out."""
    try:
        configs = validate_eval_configs(raw)
    except KernelError as exc:
        assert "\n" not in str(exc)
        return
    report = run_deterministic_evals(
        TEXT,
        configs=configs,
        baseline_text=TEXT,
        other_chapters={"x": TEXT},
        timestamp="2026-01-01T00:00:00Z",
    )
    assert 0.0 <= report.drift_score <= 1.0


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), doc=yaml_docs)
@example(name="style-guard", doc={"limits": {"sentence_length": {"max_words": True}}})
@example(name="drift-detection", doc={"hype": {"patterns": ["(?P<x"]}})
@example(name="drift-detection", doc={"tolerances": {"ngram_size": 0}})
@example(name="chapter-quality", doc={"version": 1.0})
def test_eval_config_documents(name: str, doc: Any) -> None:
    evaluate({name: doc})


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
@example(text="a: &x [*x]")  # a self-referencing alias
@example(text="!!python/object:os.system {}")  # safe_load must refuse object tags
@example(text="\t- tab")
def test_eval_yaml_text_read_and_validated(tmp_path_factory: Any, text: str) -> None:
    root = Path(tmp_path_factory.mktemp("yaml"))
    (root / "evals").mkdir(exist_ok=True)
    (root / "evals/style-guard.yaml").write_text(text, encoding="utf-8")
    try:
        workspace = FsWorkspace(root)
        rel_path = "evals/style-guard.yaml"
        doc = workspace.parse_yaml(workspace.read_text(rel_path), rel_path)
    except KernelError as exc:
        # refused as YAML, naming the file, on one line of its own making
        path = root / "evals/style-guard.yaml"
        assert exc.message.startswith(f"Invalid YAML: {path}: ")
        assert "\n" not in exc.message
        return
    evaluate({"style-guard": doc})


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)


@settings(max_examples=300)
@given(reply=st.one_of(st.text(), json_like.map(lambda v: yaml.safe_dump(v))))
@example(reply='{"a": 1e999}')
@example(reply="{" * 5000)
@example(reply='```json\n{"focus_areas": ["## Thesis"]}\n```')
def test_role_replies_parse_to_contracts_or_kernel_errors(reply: str) -> None:
    try:
        data = extract_json_object(reply)
    except KernelError:
        return
    for parse in (parse_planner, parse_critic):
        try:
            parse(data)
        except KernelError as exc:
            assert "\n" not in str(exc)
