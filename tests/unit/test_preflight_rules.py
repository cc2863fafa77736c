"""What a run loads and refuses before its first iteration (domain.preflight; contract 3.0).

Run against the in-memory kernel kit (tests/support/kernel_loop.py): governance files, the
ledger rules with their `(and <n> more)`, the other chapters, evals, role contracts, ROADMAP.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from state_runner.domain import governance, preflight
from state_runner.domain.errors import KernelError
from state_runner.domain.model import Ledger, new_chapter_entry
from state_runner.domain.roles import EVAL_NAMES
from state_runner.domain.run_types import KernelOptions, KernelPorts
from support.fakes import FakeClock, FakeLedgerSource, FakeVcs, FakeWorkspace
from support.kernel_loop import CHAPTER, Loop, make_loop


class OutsideWorkspace(FakeWorkspace):
    """Refuses absolute chapter paths, as the real workspace refuses a path leaving the root."""

    def resolve_chapter_path(self, raw: object) -> str:
        if isinstance(raw, str) and raw.startswith("/"):
            raise KernelError(f"Chapter path must stay inside the workspace: {raw}")
        return super().resolve_chapter_path(raw)


@dataclass
class RecordingVcs(FakeVcs):
    calls: list[str] = field(default_factory=list)

    def check_commit_ready(self) -> None:
        self.calls.append("check_commit_ready")


def ports_of(
    loop: Loop, *, changed: tuple[str, ...] = (), notices: list[str] | None = None
) -> KernelPorts:
    shown = notices if notices is not None else []
    return KernelPorts(
        workspace=loop.workspace,
        files=loop.files,
        ledger=FakeLedgerSource(loop.ledger),
        state=loop.state,
        vcs=RecordingVcs(changed=list(changed)),
        clock=FakeClock(),
        notice=shown.append,
    )


def with_outside_workspace(loop: Loop) -> Loop:
    loop.workspace = OutsideWorkspace(loop.workspace.files, loop.workspace.yaml_docs)
    return loop


def test_changed_governance_files_are_named_sorted_with_the_restore_command() -> None:
    ports = ports_of(make_loop(), changed=("CONSTITUTION.md", "book/01.md", "AGENTS.md"))
    with pytest.raises(KernelError) as caught:
        preflight.check_governance(ports)
    assert caught.value.message == (
        "Immutable governance files modified; kernel refuses to proceed: AGENTS.md, "
        "CONSTITUTION.md. Restore them (git restore --staged --worktree -- AGENTS.md "
        "CONSTITUTION.md), or commit and push a deliberate change before running the kernel"
    )


def test_other_changed_files_pass_the_governance_check() -> None:
    preflight.check_governance(ports_of(make_loop(), changed=("book/01.md", "agents.md")))


def ledger_with_outside_paths(loop: Loop, count: int) -> Ledger:
    for index in range(count):
        loop.ledger["chapters"][f"0{index + 3}"] = new_chapter_entry(f"/outside/{index}.md")
    return Ledger.from_json(loop.ledger, "state/ledger.json")


def test_one_ledger_problem_is_named_alone() -> None:
    loop = with_outside_workspace(make_loop())
    ledger = ledger_with_outside_paths(loop, 1)
    problems = governance.ledger_problems(loop.ledger, loop.workspace)
    assert len(problems) == 1
    with pytest.raises(KernelError) as caught:
        preflight.check_ledger_rules(ports_of(loop), ledger)
    assert caught.value.message == (
        f"Invalid ledger: state/ledger.json: {problems[0]}; fix it (state-runner governance "
        "validate lists every problem) and run again"
    )


@pytest.mark.parametrize("count", [2, 3])
def test_more_ledger_problems_are_counted_after_the_first(count: int) -> None:
    loop = with_outside_workspace(make_loop())
    ledger = ledger_with_outside_paths(loop, count)
    problems = governance.ledger_problems(loop.ledger, loop.workspace)
    assert len(problems) == count
    with pytest.raises(KernelError) as caught:
        preflight.check_ledger_rules(ports_of(loop), ledger)
    assert caught.value.message == (
        f"Invalid ledger: state/ledger.json: {problems[0]} (and {count - 1} more); fix it "
        "(state-runner governance validate lists every problem) and run again"
    )


def test_a_valid_ledger_passes_the_ledger_rules() -> None:
    loop = make_loop()
    preflight.check_ledger_rules(ports_of(loop), Ledger.from_json(loop.ledger, "ledger"))


def test_other_chapters_skip_this_one_bad_paths_and_missing_files_in_ledger_order() -> None:
    loop = with_outside_workspace(make_loop())
    chapters = loop.ledger["chapters"]
    chapters["03"] = new_chapter_entry("/outside/03.md")  # a bad path before a good one
    chapters["04"] = new_chapter_entry("book/missing.md")
    chapters["05"] = new_chapter_entry("book/05.md")
    loop.workspace.files["book/05.md"] = "# Five\n"
    ledger = Ledger.from_json(loop.ledger, "ledger")
    texts = preflight.other_chapters(ports_of(loop).workspace, ledger, "01")
    assert list(texts) == ["02", "05"]
    assert texts == {"02": "# Two\n\n## Thesis\n\nOther.\n", "05": "# Five\n"}


class ParseRecordingWorkspace(FakeWorkspace):
    """Records what each YAML parse is given."""

    parsed: list[tuple[str, str]]

    def parse_yaml(self, text: str, rel_path: str) -> object:
        self.parsed.append((text, rel_path))
        return super().parse_yaml(text, rel_path)


def test_each_eval_file_is_parsed_from_its_text_and_validated() -> None:
    loop = make_loop()
    workspace = ParseRecordingWorkspace(loop.workspace.files, loop.workspace.yaml_docs)
    workspace.parsed = []
    configs, _texts = preflight.read_evals(workspace)
    assert workspace.parsed == [
        ("version: 1\n", "evals/chapter-quality.yaml"),
        ("version: 1\n", "evals/style-guard.yaml"),
        ("version: 1\n", "evals/drift-detection.yaml"),
    ]
    assert configs.chapter_quality["required_headings"] == ["## Thesis"]  # the parsed document


def test_the_eval_texts_are_the_files_as_read() -> None:
    loop = make_loop()
    loop.workspace.files["evals/style-guard.yaml"] = "banned: []\n"
    _configs, texts = preflight.read_evals(loop.workspace)
    assert texts == {
        "chapter-quality": "version: 1\n",
        "style-guard": "banned: []\n",
        "drift-detection": "version: 1\n",
    }


def test_role_contracts_only_in_llm_mode_each_stripped_with_the_adhoc_suffix() -> None:
    loop = make_loop()
    ports = ports_of(loop)
    assert preflight.contracts(ports, KernelOptions(chapter_id="01")) == {}
    loop.workspace.files["prompts/critic.md"] = "\n  critic contract  \n\n"
    prompts = preflight.contracts(ports, KernelOptions(chapter_id="01", use_llm=True))
    assert prompts == {
        "planner": "planner contract\n",
        "writer": "writer contract\n",
        "critic": "critic contract\n",
    }
    suffixed = preflight.contracts(
        ports, KernelOptions(chapter_id="01", use_llm=True, adhoc_instructions="Be brief.")
    )
    assert suffixed["writer"].startswith("writer contract\n\n## Ad-hoc instructions\n")
    assert suffixed["writer"].endswith("\n\nBe brief.\n")


ROADMAP = """# Roadmap

## Chapter 01: One

### Research hypothesis

Small steps beat big rewrites.

### Notes

Not this.
"""


def test_prepare_reads_the_hypothesis_and_the_run_context() -> None:
    loop = make_loop(rule=3)
    loop.workspace.files["ROADMAP.md"] = ROADMAP
    loop.ledger["chapters"]["01"]["last_eval"] = {"critic": {"decision": "refine"}}
    loop.ledger["chapters"]["01"]["current_iteration"] = 4
    loop.ledger["chapters"]["01"]["stability"]["consecutive_passes"] = 1
    notices: list[str] = []
    vcs_ports = ports_of(loop, notices=notices)
    options = KernelOptions(chapter_id="01")
    context = preflight.prepare(vcs_ports, options)
    assert notices == []
    assert context.options is options
    assert context.chapter.chapter_id == "01"
    assert context.ledger.chapter_ids() == ["01", "02"]
    assert context.baseline == CHAPTER
    assert (context.current_iteration, context.consecutive_passes) == (4, 1)
    assert context.configs == preflight.read_eval_configs(loop.workspace)
    assert context.eval_texts == {name: "version: 1\n" for name in EVAL_NAMES}
    assert context.hypothesis == "Small steps beat big rewrites."
    assert context.chapter_path == "book/01.md"
    assert context.baseline_headings == ["# One", "## Thesis", "## Trade-offs"]
    assert context.previous_critic == {"critic": {"decision": "refine"}}
    assert context.required_passes == 3
    assert list(context.other_chapters) == ["02"]
    assert context.contracts == {}
    assert isinstance(vcs_ports.vcs, RecordingVcs)
    assert vcs_ports.vcs.calls == []


def test_prepare_without_a_roadmap_says_so_and_checks_a_commit_can_be_made() -> None:
    loop = make_loop()
    notices: list[str] = []
    ports = ports_of(loop, notices=notices)
    options = KernelOptions(chapter_id="01", commit=True, require_two_consecutive_passes=False)
    context = preflight.prepare(ports, options)
    assert notices == ["ROADMAP.md not found: the planner gets no research hypothesis"]
    assert context.hypothesis == ""
    assert context.required_passes == 1
    assert isinstance(ports.vcs, RecordingVcs)
    assert ports.vcs.calls == ["check_commit_ready"]


def test_prepare_reports_a_repair_and_checks_the_state_after_recovery() -> None:
    loop = make_loop()
    loop.workspace.files["ROADMAP.md"] = ROADMAP
    loop.state.recover = lambda: "repaired an interrupted run"  # type: ignore[method-assign]
    notices: list[str] = []
    preflight.prepare(ports_of(loop, notices=notices), KernelOptions(chapter_id="01"))
    assert notices == ["repaired an interrupted run"]
    assert loop.state.calls == ["check"]


def test_read_eval_configs_is_the_validated_half_of_read_evals() -> None:
    loop = make_loop()
    assert preflight.read_eval_configs(loop.workspace) == preflight.read_evals(loop.workspace)[0]


def test_prepare_names_the_ledger_file_in_a_ledger_refusal() -> None:
    loop = make_loop()
    loop.ledger["chapters"] = []
    with pytest.raises(KernelError) as caught:
        preflight.prepare(ports_of(loop), KernelOptions(chapter_id="01"))
    assert caught.value.message == "Invalid ledger: state/ledger.json: chapters must be an object"


def test_prepare_in_llm_mode_loads_the_role_contracts() -> None:
    loop = make_loop()
    context = preflight.prepare(ports_of(loop), KernelOptions(chapter_id="01", use_llm=True))
    assert context.contracts == {
        "planner": "planner contract\n",
        "writer": "writer contract\n",
        "critic": "critic contract\n",
    }
