"""`reward-service filter`: a dump with known outcomes keeps exactly the expected responses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reward_service import cli
from reward_service.config import Settings
from reward_service.filtering import FilterOptions, filter_file, scores_file

CLEAN = (
    "<think>First I add two and three together. The sum of two and three is five, "
    "so the answer is five.</think> The answer is \\boxed{5}."
)
FRENCH = (
    "D'abord j'additionne deux et trois ensemble. La somme de deux et trois fait cinq, donc "
    "la réponse est cinq. Je vérifie encore une fois le calcul avec soin."
)
LONG_PARAGRAPH = " ".join(
    f"In step {i} I check that two plus three is still five." for i in range(60)
)
LOOP = "\n".join(["I will add two and three to get the sum."] * 8)
RESPONSES = {
    "clean": CLEAN,
    "mixed-language": f"<think>I add two and three. {FRENCH}</think> The answer is \\boxed{{5}}.",
    "wrong": CLEAN.replace("\\boxed{5}", "\\boxed{6}"),
    "no-format": "The sum of two and three is five, so the answer is \\boxed{5}.",
    "overlong-paragraph": f"<think>{LONG_PARAGRAPH}</think> The answer is \\boxed{{5}}.",
    "code-in-math": "<think>I add them with code.\n```python\nprint(2 + 3)\n```\nIt prints five."
    "</think> The answer is \\boxed{5}.",
    "repetition": f"<think>{LOOP}</think> The answer is \\boxed{{5}}.",
    "near-duplicate": CLEAN.replace(" so the answer", "  so  the answer"),
}
EXPECTED_REASONS = {
    "mixed-language": ["language"],
    "wrong": ["accuracy:wrong_answer"],
    "overlong-paragraph": ["overlong_paragraph"],
    "code-in-math": ["code_in_reasoning"],
    "repetition": ["repetition"],
    "near-duplicate": ["near_duplicate"],
}
# A prompt with six distinct clean answers: the four shortest are kept.
MANY = [
    "<think>"
    + " ".join(f"Check number {i} says two plus three is five." for i in range(n))
    + "</think> \\boxed{5}"
    for n in range(1, 7)
]


def dump(path: Path) -> Path:
    lines = [
        {
            "id": "sum",
            "prompt": "What is two plus three? Answer in English.",
            "answer": "5",
            "responses": list(RESPONSES.values()),
        },
        {
            "id": "hard",
            "prompt": "What is seven times six? Think in English.",
            "answer": "42",
            "responses": [CLEAN, CLEAN.replace("5", "41")],
        },
        {"id": "many", "prompt": "Add two and three, please.", "answer": "5", "responses": MANY},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def settings() -> Settings:
    return Settings(workers={"processes": 2})


@pytest.fixture(scope="module")
def filtered(tmp_path_factory) -> tuple[Path, Path, object]:
    folder = tmp_path_factory.mktemp("filter")
    output, rejected = folder / "sft.jsonl", folder / "rejected.jsonl"
    summary = filter_file(
        str(dump(folder / "dump.jsonl")),
        str(output),
        settings(),
        FilterOptions(),
        rejected_path=str(rejected),
    )
    return output, rejected, summary


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_exactly_the_expected_responses_are_kept(filtered):
    output, rejected, summary = filtered
    names = list(RESPONSES)
    kept = [line["id"] for line in read(output)]
    assert kept == ["sum-0", "many-0", "many-1", "many-2", "many-3"]
    reasons = {line["id"]: line["reasons"] for line in read(rejected)}
    for name, expected in EXPECTED_REASONS.items():
        assert reasons[f"sum-{names.index(name)}"] == expected, name
    assert "format" in reasons[f"sum-{names.index('no-format')}"]
    assert reasons["many-4"] == reasons["many-5"] == ["per_prompt_limit"]
    assert summary.prompts_without == ["hard"]
    assert (summary.prompts, summary.samples, summary.accepted) == (3, 16, 5)
    assert dict(summary.accepted_per_prompt) == {1: 1, 0: 1, 4: 1}


def test_an_output_line_is_ready_for_sft(filtered):
    output, _, _ = filtered
    first = read(output)[0]
    assert first == {
        "id": "sum-0",
        "messages": [
            {"role": "user", "content": "What is two plus three? Answer in English."},
            {"role": "assistant", "content": CLEAN},
        ],
        "answer": "5",
    }


def test_text_format_and_resume(tmp_path):
    source = dump(tmp_path / "dump.jsonl")
    output = tmp_path / "sft.jsonl"
    options = FilterOptions(output_format="text")
    filter_file(str(source), str(output), settings(), options)
    first_run = read(output)
    assert first_run[0] == {
        "id": "sum-0",
        "prompt": "What is two plus three? Answer in English.",
        "completion": CLEAN,
        "answer": "5",
    }
    # Interrupted after the first prompt was scored: the rerun scores only the rest.
    scores = Path(scores_file(str(output)))
    lines = scores.read_text().splitlines()
    scores.write_text("\n".join(lines[: len(RESPONSES)]) + "\n")
    output.unlink()
    filter_file(str(source), str(output), settings(), options)
    assert read(output) == first_run
    ids = [json.loads(line)["id"] for line in scores.read_text().splitlines()]
    assert len(ids) == len(set(ids)) == 16


def test_a_rerun_with_another_target_language_is_judged_by_it(tmp_path):
    source, output = dump(tmp_path / "dump.jsonl"), tmp_path / "sft.jsonl"
    english = filter_file(str(source), str(output), settings(), FilterOptions())
    french = filter_file(str(source), str(output), settings(), FilterOptions(language="fr"))
    assert english.accepted == 5 and english.reasons["language"] == 1
    # English reasoning under a French target: nothing is kept, for language.
    assert french.accepted == 0 and french.reasons["language"] >= 14
    ids = [json.loads(line)["id"] for line in Path(scores_file(str(output))).open()]
    assert len(ids) == len(set(ids)) == 16


def test_both_formats_load_with_datasets(filtered, tmp_path):
    datasets = pytest.importorskip("datasets")
    output, _, _ = filtered
    chat = datasets.load_dataset("json", data_files=str(output), split="train")
    assert chat[0]["messages"][1]["role"] == "assistant"
    text = tmp_path / "text.jsonl"
    filter_file(
        str(dump(tmp_path / "dump.jsonl")),
        str(text),
        settings(),
        FilterOptions(output_format="text"),
    )
    loaded = datasets.load_dataset("json", data_files=str(text), split="train")
    assert set(loaded.column_names) == {"id", "prompt", "completion", "answer"}


def test_the_command_prints_a_summary_and_writes_a_report(tmp_path):
    report = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli.main,
        [
            "filter",
            str(dump(tmp_path / "dump.jsonl")),
            "-o",
            str(tmp_path / "sft.jsonl"),
            "--report",
            str(report),
            "--workers",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "prompts 3, samples 16, accepted 5, prompts with none accepted 1" in result.output
    assert "near_duplicate" in result.output
    page = report.read_text()
    assert "Rejections by reason" in page and "<li>hard</li>" in page


def test_the_language_list_matches_the_api():
    from typing import get_args

    from reward_service.api.models import Language

    assert sorted(get_args(Language)) == cli.REASONING_LANGUAGES


@pytest.mark.parametrize(
    "args",
    [["--min-language", "1.5"], ["--per-prompt", "0"], ["--language", "xx"], ["-o", "-"]],
)
def test_bad_options_exit_with_a_message(tmp_path, args):
    source = str(dump(tmp_path / "dump.jsonl"))
    result = CliRunner().invoke(cli.main, ["filter", source, "-o", str(tmp_path / "o"), *args])
    assert result.exit_code == 2
    assert "rror" in result.output


def word_level_tokenizer(folder: Path) -> Path:
    """A Hugging Face tokenizer saved like a model's, made here (no hub): words and punctuation
    runs are tokens, so `<think>` counts 3 where the default count sees one word."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    words.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=words, unk_token="[UNK]").save_pretrained(folder)
    return folder


def test_max_tokens_counts_with_the_given_tokenizer(tmp_path):
    from reward_service.rewards.readability import token_count

    source = tmp_path / "dump.jsonl"
    line = {"id": "sum", "prompt": "What is two plus three?", "answer": "5", "responses": [CLEAN]}
    source.write_text(json.dumps(line) + "\n")
    assert token_count(CLEAN) == 24  # and 36 tokens by the tokenizer below

    def run(*extra: str) -> list[dict]:
        output = tmp_path / f"sft{len(extra)}.jsonl"
        rejected = tmp_path / f"rejected{len(extra)}.jsonl"
        base = ["filter", str(source), "-o", str(output), "--rejected", str(rejected)]
        result = CliRunner().invoke(cli.main, [*base, "--max-tokens", "30", *extra])
        assert result.exit_code == 0, result.output
        return read(rejected)

    assert run() == []
    (rejected,) = run("--tokenizer", str(word_level_tokenizer(tmp_path / "tokenizer")))
    assert rejected["reasons"] == ["too_long"]


def test_a_folder_without_a_tokenizer_exits_with_a_message(tmp_path):
    source = str(dump(tmp_path / "dump.jsonl"))
    args = ["filter", source, "-o", str(tmp_path / "o"), "--tokenizer", str(tmp_path)]
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 2
    assert "cannot load tokenizer" in result.output
