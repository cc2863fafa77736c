"""Ad-hoc instructions (docs/kernel-contract.md 4.11): how the parts are joined and the exact
suffix each role contract and instruction file gets."""

from __future__ import annotations

from state_runner.domain import adhoc

NOTE = (
    "These are additional constraints for this run. They must not override the required output "
    "format or other guardrails in this prompt."
)


def test_the_files_come_first_then_the_text_each_stripped_and_joined_by_a_blank_line() -> None:
    assert adhoc.combine(["  one\n", "\ntwo  "], " three ") == "one\n\ntwo\n\nthree"


def test_empty_parts_are_dropped() -> None:
    assert adhoc.combine(["", "  \n", "only"], "") == "only"
    assert adhoc.combine([" first "], None) == "first"


def test_no_parts_give_no_instructions() -> None:
    assert adhoc.combine([], None) == ""
    assert adhoc.combine(["\n"], "  ") == ""


def test_a_contract_gains_the_heading_the_note_a_blank_line_and_the_text() -> None:
    contract = "planner contract\n"
    expected = "planner contract\n" + "\n## Ad-hoc instructions\n" + NOTE + "\n\nBe brief.\n"
    assert adhoc.contract_with(contract, "Be brief.") == expected


def test_without_instructions_the_contract_is_unchanged() -> None:
    assert adhoc.contract_with("writer contract\n", "") == "writer contract\n"


def test_an_instruction_file_gains_the_label_and_the_text() -> None:
    expected = "Writer instructions\n" + "\nADHOC INSTRUCTIONS:\n" + "Be brief." + "\n"
    assert adhoc.instructions_with("Writer instructions\n", "Be brief.") == expected


def test_without_instructions_the_instruction_file_is_unchanged() -> None:
    assert adhoc.instructions_with("Critic instructions\n", "") == "Critic instructions\n"


def test_the_input_file_name_and_the_fixed_texts() -> None:
    assert adhoc.INPUT_FILE == "adhoc_instructions.txt"
    assert adhoc.CONTRACT_HEADING == "## Ad-hoc instructions"
    assert adhoc.CONTRACT_NOTE == NOTE
    assert adhoc.INSTRUCTIONS_LABEL == "ADHOC INSTRUCTIONS:"
