"""Scrub LLaVA conversation files (JSON array or JSONL): every turn, with a report.

A record is `{"id": ..., "image": ..., "conversations": [{"from": ..., "value": ...}, ...]}`
as in LLaVA's `llava_v1_5_mix665k.json`. Bad records stop the run with one line naming the
file and line (JSONL) or record index (JSON); `skip_bad=True` skips and counts them instead.

>>> import json, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> record = {"id": "1", "conversations": [{"from": "gpt", "value": "A man smiles."}]}
>>> _ = (folder / "in.jsonl").write_text(json.dumps(record) + "\\n")
>>> report = scrub_file(folder / "in.jsonl", folder / "out.jsonl")
>>> report["samples_changed"], json.loads((folder / "out.jsonl").read_text())["conversations"]
(1, [{'from': 'gpt', 'value': 'A person smiles.'}])
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from multiprocessing import Pool
from pathlib import Path

from mmpriv_data.core.atomic import atomic_file, check_file_target, is_json_report, json_report
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.transforms.scrub.lexicon import ATTRIBUTES
from mmpriv_data.transforms.scrub.rewrite import resolve_attributes, scrub

Rewriter = Callable[[str], str]


def iter_records(path: str | Path, *, skip_bad: bool = False, skipped: list | None = None
                 ) -> Iterator[dict]:  # fmt: skip
    """Valid records of a .json (array) or .jsonl file; bad ones raise or go to `skipped`."""
    path = Path(path)
    if not path.is_file():
        raise MmprivError(f"{path}: no such file")
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson")
    with path.open(encoding="utf-8") as stream:
        if jsonl:
            raw = ((f"line {n}", line) for n, line in enumerate(stream, 1) if line.strip())
        else:
            try:
                items = json.load(stream)
            except json.JSONDecodeError as error:
                where = f"{error.msg} at line {error.lineno}"
                raise MmprivError(
                    f"{path}: not valid JSON ({where}; a .jsonl file holds one record per line)"
                ) from None
            if not isinstance(items, list):
                raise MmprivError(f"{path}: expected a JSON array of records")
            raw = ((f"record {n}", item) for n, item in enumerate(items))
        for where, item in raw:
            try:
                if isinstance(item, str):
                    try:
                        item = json.loads(item)
                    except json.JSONDecodeError as error:
                        raise ValueError(f"malformed JSON ({error.msg})") from None
                yield validate_record(item)
            except ValueError as error:
                if not skip_bad:
                    raise MmprivError(f"{path} {where}: {error} (use --skip-bad to skip)") from None
                if skipped is not None:
                    skipped.append(f"{where}: {error}")


def validate_record(record: object) -> dict:
    """The record if it has a list of {"from", "value": str} turns, else ValueError."""
    if not isinstance(record, dict):
        raise ValueError(f"expected an object, got {type(record).__name__}")
    turns = record.get("conversations")
    if turns is None:
        raise ValueError("missing field 'conversations'")
    if not isinstance(turns, list):
        raise ValueError("'conversations' must be a list of turns")
    for index, turn in enumerate(turns):
        if not isinstance(turn, dict):
            raise ValueError(f"turn {index} is not an object")
        for key in ("from", "value"):
            if key not in turn:
                raise ValueError(f"turn {index}: missing field '{key}'")
        if not isinstance(turn["value"], str):
            kind = type(turn["value"]).__name__
            raise ValueError(f"turn {index}: 'value' must be a string, got {kind}")
    return record


def scrub_record(record: dict, attributes=None, rewriter: Rewriter | None = None,
                 tagger: str | None = None) -> tuple[dict, list[dict]]:  # fmt: skip
    """(scrubbed copy of the record, changes with their `turn` index).

    With a `rewriter` (a model), each turn is rewritten by it first and the rules then run on
    its output, so a model that misses a word is still caught by the lexicon.
    """
    turns, changes = [], []
    for index, turn in enumerate(record["conversations"]):
        text = turn["value"]
        if rewriter is not None:
            rewritten = rewriter(text)
            if rewritten != text:
                whole = {"start": 0, "end": len(text)}
                changes.append({"turn": index, "attribute": "rewriter", "original": text,
                                "replacement": rewritten, **whole})  # fmt: skip
            text = rewritten
        result = scrub(text, attributes, tagger=tagger)
        changes += [{"turn": index, **change} for change in result.changes]
        turns.append({**turn, "value": result.text})
    return {**record, "conversations": turns}, changes


_CHUNK = 2000  # records per job


def _scrub_chunk(job: tuple) -> list[tuple[dict, list[dict]]]:
    chunk, attributes, rewriter, tagger = job
    return [scrub_record(record, attributes, rewriter, tagger) for record in chunk]


def default_report_path(output: str | Path) -> Path:
    output = Path(output)
    return output.with_name(output.name + ".report.json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _scrubbed_by_mmpriv(output: Path, report_path: Path) -> Callable[[Path], bool]:
    """A scrubbed copy is mmpriv's when its report (mmpriv's too) holds its checksum, so a
    copy edited since, or any other file, is never replaced."""

    def recognise(path: Path) -> bool:
        if not is_json_report(report_path, "scrub report"):
            return False
        report = json.loads(report_path.read_text(encoding="utf-8"))
        return report.get("output_sha256") == _sha256(path)

    return recognise


def check_scrub_paths(source: Path, output: Path, report_path: Path | None) -> None:
    """Every path checked before any work: the input exists, neither output replaces the
    input or a file mmpriv did not write, and both can be created."""
    if not source.is_file():
        raise MmprivError(f"INPUT {source}: no such file")
    for option, path in (("OUTPUT", output), ("--report", report_path)):
        if path is not None and path.resolve() == source.resolve():
            raise MmprivError(f"{option} {path}: must not overwrite the input")
    if report_path is not None and report_path.resolve() == output.resolve():
        raise MmprivError(f"--report {report_path}: must differ from OUTPUT")
    recognise = _scrubbed_by_mmpriv(output, report_path or default_report_path(output))
    check_file_target(output, "scrub", "OUTPUT", recognise)
    if report_path is not None:
        check_file_target(report_path, "scrub report", "--report")


def _write_atomically(path: Path, write: Callable, kind: str, option: str, recognise=None) -> None:
    with (
        atomic_file(path, kind, option=option, recognise=recognise) as staging,
        open(staging, "w", encoding="utf-8") as stream,
    ):
        write(stream)


def scrub_file(
    source: str | Path,
    output: str | Path,
    *,
    attributes=None,
    skip_bad: bool = False,
    rewriter: Rewriter | None = None,
    report_path: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    num_proc: int = 1,
    tagger: str | None = None,
) -> dict:
    """Scrub every turn of `source` into `output` (same format) and return the report; the
    report is also written to `report_path` when given. Nothing is written on an error.
    `tagger` is `scrub()`'s: None/"default", "minilm" or "learned" (both need the `eval` extra)."""
    source, output = Path(source), Path(output)
    report_path = Path(report_path) if report_path is not None else None
    check_scrub_paths(source, output, report_path)
    enabled = resolve_attributes(attributes)
    if num_proc < 1:
        raise MmprivError(f"--num-proc must be at least 1, got {num_proc}")
    if rewriter is not None and num_proc > 1:
        raise MmprivError("--rewriter runs in one process: leave --num-proc at 1")
    scrub("", tagger=tagger)  # an unknown tagger or a missing extra fails before any work
    skipped: list[str] = []
    records = list(iter_records(source, skip_bad=skip_bad, skipped=skipped))
    chunks = [records[i : i + _CHUNK] for i in range(0, len(records), _CHUNK)]
    jobs = [(chunk, enabled, rewriter, tagger) for chunk in chunks]
    per_attribute: Counter = Counter()
    counts = Counter()
    scrubbed = []
    pool = Pool(num_proc) if num_proc > 1 else None
    try:  # chunks come back in order, so the output does not depend on num_proc
        results = pool.imap(_scrub_chunk, jobs) if pool else map(_scrub_chunk, jobs)
        for chunk, done in zip(chunks, results, strict=True):
            for record, (new, changes) in zip(chunk, done, strict=True):
                scrubbed.append(new)
                counts["records"] += 1
                counts["turns"] += len(record["conversations"])
                counts["turns_changed"] += len({c["turn"] for c in changes})
                counts["samples_changed"] += bool(changes)
                per_attribute.update(c["attribute"] for c in changes)
            if progress is not None:
                progress(len(chunk))
    finally:
        if pool is not None:
            pool.terminate()
    jsonl = output.suffix.lower() in (".jsonl", ".ndjson")

    def write(stream) -> None:
        if jsonl:
            for record in scrubbed:
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            json.dump(scrubbed, stream, ensure_ascii=False, indent=1)
            stream.write("\n")

    recognise = _scrubbed_by_mmpriv(output, report_path or default_report_path(output))
    _write_atomically(output, write, "scrub", "OUTPUT", recognise)
    report = {
        "input": str(source),
        "output": str(output),
        "output_sha256": _sha256(output),
        "attributes": [a for a in ATTRIBUTES if a in enabled],
        "backend": "rules"
        if rewriter is None
        else f"model+rules ({getattr(rewriter, 'name', '')})",
        "tagger": tagger or "default",
        "records": counts["records"],
        "turns": counts["turns"],
        "samples_changed": counts["samples_changed"],
        "turns_changed": counts["turns_changed"],
        "changes_per_attribute": {
            a: per_attribute.get(a, 0)
            for a in [*ATTRIBUTES, "rewriter"]
            if a in enabled or per_attribute.get(a)
        },  # fmt: skip
        "skipped": len(skipped),
        "skipped_examples": skipped[:20],
    }
    if report_path is not None:
        text = json_report(report, "scrub report")
        _write_atomically(report_path, lambda s: s.write(text), "scrub report", "--report")
    return report


class ModelRewriter:
    """Safe-LLaVA's approach with a local model: a causal LM rewrites each turn (greedy).

    transformers is imported only here. The rules still run after it (see `scrub_record`).

    >>> rewrite = ModelRewriter("models/my-rewriter")  # doctest: +SKIP
    >>> rewrite("An older woman smiles.")  # doctest: +SKIP
    'A person smiles.'
    """

    INSTRUCTION = (
        "Rewrite the text so that it no longer states anyone's gender, age, race or "
        "ethnicity, eye colour, hair colour or body weight. Use neutral words (person, they, "
        "parent, spouse) and keep everything else unchanged.\nText: {text}\nRewritten:"
    )

    def __init__(self, path: str | Path, max_new_tokens: int = 256):
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError:  # pragma: no cover - the eval extra is missing
            raise MmprivError("--rewriter needs transformers: pip install 'mmpriv[eval]'") from None
        from mmpriv_data.core.models import check_source

        offline = check_source(str(path), "--rewriter") == "offline"
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=offline)
            model = AutoModelForCausalLM.from_pretrained(path, local_files_only=offline)
            self.model = model.eval()
        except (OSError, ValueError) as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
            raise MmprivError(f"--rewriter {path}: cannot load a causal LM ({first})") from None
        self.name, self.max_new_tokens = str(path), max_new_tokens

    def __call__(self, text: str) -> str:
        import torch

        prompt = self.INSTRUCTION.format(text=text)
        inputs = self.tokenizer(prompt, return_tensors="pt")
        with torch.inference_mode():
            output = self.model.generate(
                **inputs, do_sample=False, max_new_tokens=self.max_new_tokens,
                pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
            )  # fmt: skip
        new = output[0, inputs["input_ids"].shape[1] :]
        answer = self.tokenizer.decode(new, skip_special_tokens=True).strip()
        return answer.split("\n")[0].strip() or text
