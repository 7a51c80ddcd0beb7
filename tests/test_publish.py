"""Publishing a Hub-layout folder as a tagged version, against the Hub test double."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import huggingface_hub
import pytest
from datasets import Dataset, Features, Image, Value, load_dataset
from PIL import Image as PILImage

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.hub.publish import PublishResult, publish

README = """---
configs:
- config_name: text
  data_files:
  - split: train
    path: text/train-*
- config_name: images
  data_files:
  - split: train
    path: images/train-*
---
# tiny test dataset
"""


def png(shade: int) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 4), (shade, 0, 255 - shade)).save(buffer, format="PNG")
    return buffer.getvalue()


def build(folder: Path, tag: str, shards: int = 1) -> Path:
    """A Hub-layout folder: README with `configs:` + <config>/train-NNNNN-of-NNNNN.parquet."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text(README, encoding="utf-8")
    text = Dataset.from_dict({"id": [f"{tag}-{i}" for i in range(4)], "text": [tag] * 4})
    features = Features({"id": Value("string"), "image": Image()})
    images = [{"bytes": png(40 * i), "path": None} for i in range(3)]
    image_rows = {"id": [f"{tag}-img-{i}" for i in range(3)], "image": images}
    configs = {"text": text, "images": Dataset.from_dict(image_rows, features=features)}
    for name, dataset in configs.items():
        (folder / name).mkdir(exist_ok=True)
        for shard in range(shards):
            part = dataset.shard(shards, shard, contiguous=True)
            part.to_parquet(folder / name / f"train-{shard:05d}-of-{shards:05d}.parquet")
    return folder


def rows(dataset) -> list[dict]:
    if "image" in dataset.features:
        dataset = dataset.cast_column("image", Image(decode=False))
    return dataset.to_list()


def hub_rows(repo_id: str, config: str, revision: str) -> list[dict]:
    return rows(load_dataset(repo_id, config, revision=revision, split="train"))


def test_published_version_loads_like_the_local_folder(hub, tmp_path):
    folder = build(tmp_path / "build", "a")
    repo_id = hub.unique_repo_id("tiny")
    result = publish(folder, repo_id, "1.0.0")
    assert isinstance(result, PublishResult)
    assert (result.repo_id, result.tag) == (repo_id, "v1.0.0")
    assert hub.repo(repo_id).tags == {"v1.0.0": result.commit_sha}
    assert result.url == f"{hub.endpoint}/datasets/{repo_id}/tree/v1.0.0"
    for config in ("text", "images"):
        local = rows(load_dataset(str(folder), config, split="train"))
        assert hub_rows(repo_id, config, "v1.0.0") == local
    assert hub_rows(repo_id, "images", "v1.0.0")[1]["image"]["bytes"] == png(40)
    assert not hub.unhandled


def test_new_version_leaves_the_old_one_unchanged(hub, tmp_path):
    repo_id = hub.unique_repo_id("tiny")
    v1 = publish(build(tmp_path / "v1", "a"), repo_id, "1.0.0")
    # The new build has other shard names: the old shard must not survive in v1.1.0.
    v2 = publish(build(tmp_path / "v2", "b", shards=2), repo_id, "1.1.0")
    assert v2.commit_sha != v1.commit_sha
    assert sorted(p for p in hub.files(repo_id, "v1.1.0") if p.startswith("text/")) == [
        "text/train-00000-of-00002.parquet",
        "text/train-00001-of-00002.parquet",
    ]
    assert [r["id"] for r in hub_rows(repo_id, "text", "v1.0.0")] == [f"a-{i}" for i in range(4)]
    assert [r["id"] for r in hub_rows(repo_id, "text", "v1.1.0")] == [f"b-{i}" for i in range(4)]
    assert hub.repo(repo_id).tags == {"v1.0.0": v1.commit_sha, "v1.1.0": v2.commit_sha}


def test_existing_tag_is_refused_before_any_upload(hub, tmp_path):
    repo_id = hub.unique_repo_id("tiny")
    v1 = publish(build(tmp_path / "v1", "a"), repo_id, "1.0.0")
    head, lfs_objects = hub.repo(repo_id).branches["main"], set(hub.lfs)
    with pytest.raises(MmprivError, match=r"tag v1\.0\.0 already exists"):
        publish(build(tmp_path / "v2", "b"), repo_id, "1.0.0")
    assert hub.repo(repo_id).tags == {"v1.0.0": v1.commit_sha}
    assert hub.repo(repo_id).branches["main"] == head
    assert set(hub.lfs) == lfs_objects


def test_missing_token_gives_one_clear_line(hub, tmp_path, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty_home"))
    monkeypatch.setattr(huggingface_hub.constants, "HF_TOKEN_PATH", str(tmp_path / "no_token"))
    with pytest.raises(MmprivError) as err:
        publish(build(tmp_path / "build", "a"), hub.unique_repo_id("tiny"), "1.0.0")
    expected = "no Hugging Face token found: run `hf auth login` or set HF_TOKEN"
    assert str(err.value) == expected
    assert not hub.repos


def test_token_appears_in_no_file_log_or_error(hub, hub_token, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    repo_id = hub.unique_repo_id("tiny")
    publish(build(tmp_path / "build", "a"), repo_id, "1.0.0")
    repo = hub.repo(repo_id)
    stored = [b.data for c in repo.commits.values() for b in c.files.values()]
    assert stored and all(
        hub_token.encode() not in data for data in stored + list(hub.lfs.values())
    )
    with pytest.raises(MmprivError) as refused:  # server refuses a wrong token
        publish(tmp_path / "build", hub.unique_repo_id("tiny"), "1.0.0", token=hub_token + "x")
    with pytest.raises(MmprivError) as existing:
        publish(tmp_path / "build", repo_id, "1.0.0")
    for message in (str(refused.value), str(existing.value)):
        assert repo_id.split("/")[0] in message and hub_token not in message
    assert "refused" in str(refused.value)
    assert hub_token not in caplog.text


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "1.0.0-rc1", "01.0.0", "1.0.0 ", "", "a.b.c"])
def test_bad_version_is_refused(hub, tmp_path, version):
    with pytest.raises(MmprivError, match="invalid version"):
        publish(build(tmp_path / "build", "a"), hub.unique_repo_id("tiny"), version)
    assert not hub.repos


def test_folder_without_hub_layout_is_refused(hub, tmp_path):
    folder = build(tmp_path / "build", "a")
    (folder / "README.md").unlink()
    with pytest.raises(MmprivError, match="no README.md"):
        publish(folder, hub.unique_repo_id("tiny"), "1.0.0")
    assert not hub.repos
