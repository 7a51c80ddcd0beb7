"""Versioned publishing of a Hub-layout dataset folder to the Hugging Face Hub.

A version is a git tag `vX.Y.Z` on the dataset repository, placed on the one commit that holds
the whole folder. Tags are never moved or overwritten: publishing an existing version fails
before anything is uploaded. Users then read a fixed version with
`load_dataset(repo_id, config, revision="v1.0.0")`.

>>> result = publish("out/profiles", "my-org/mmpriv-profiles", "1.0.0")  # doctest: +SKIP
>>> result.tag  # doctest: +SKIP
'v1.0.0'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import huggingface_hub
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi
from huggingface_hub.errors import HfHubHTTPError, HTTPError

from mmpriv_data.core.errors import MmprivError

_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
_REPO_TYPE = "dataset"


@dataclass(frozen=True)
class PublishResult:
    """Where a published version lives: the tag points at `commit_sha` for good."""

    repo_id: str
    tag: str
    commit_sha: str
    url: str


def publish(
    folder: str | Path,
    repo_id: str,
    version: str,
    *,
    token: str | None = None,
    private: bool = False,
) -> PublishResult:
    """Upload a Hub-layout dataset folder as one commit and tag it `v{version}`.

    The token comes from `token`, else from huggingface_hub's usual sources (`HF_TOKEN`, then
    the file written by `hf auth login`). The endpoint is huggingface_hub's (`HF_ENDPOINT`).
    Parquet files on the Hub that the new folder does not have (shards of an older build) are
    deleted in the same commit; other remote files are kept unless the folder replaces them.
    `private` only applies when the repository is created.

    >>> publish("out/profiles", "my-org/mmpriv-profiles", "1.1.0").url  # doctest: +SKIP
    'https://huggingface.co/datasets/my-org/mmpriv-profiles/tree/v1.1.0'
    """
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise MmprivError(
            f"invalid version {version!r}: expected X.Y.Z, e.g. 1.0.0 (the tag becomes v1.0.0)"
        )
    tag = f"v{version}"
    folder = Path(folder)
    local_files = _hub_layout_files(folder)
    token = token or huggingface_hub.get_token()
    if not token:
        raise MmprivError("no Hugging Face token found: run `hf auth login` or set HF_TOKEN")

    api = HfApi()
    step = "creating the repository"
    try:
        api.create_repo(repo_id, repo_type=_REPO_TYPE, private=private, exist_ok=True, token=token)
        step = "reading its tags"
        refs = api.list_repo_refs(repo_id, repo_type=_REPO_TYPE, token=token)
        tagged = {ref.name: ref.target_commit for ref in refs.tags}
        if tag in tagged:
            raise MmprivError(
                f"{repo_id}: tag {tag} already exists (commit {tagged[tag][:12]}); a published "
                "version is never overwritten: publish under a new version"
            )
        head = next((b.target_commit for b in refs.branches if b.name == "main"), None)
        step = "uploading the folder"
        operations = _operations(api, repo_id, folder, local_files, head, token)
        # One create_commit call is one commit whatever the folder's size (upload_folder may
        # split a large upload into several commits when hf_xet is installed).
        commit = api.create_commit(
            repo_id,
            operations,
            commit_message=f"Publish {tag}",
            repo_type=_REPO_TYPE,
            parent_commit=head,
            token=token,
        )
        step = f"creating tag {tag}"
        api.create_tag(
            repo_id,
            tag=tag,
            revision=commit.oid,
            tag_message=f"mmpriv dataset version {version}",
            repo_type=_REPO_TYPE,
            token=token,
        )
    except HfHubHTTPError as err:
        raise MmprivError(_http_message(err, repo_id, step, tag, token)) from None
    except (HTTPError, OSError, ValueError) as err:
        detail = _scrub(str(err).splitlines()[0] if str(err) else type(err).__name__, token)
        raise MmprivError(f"{repo_id}: failed while {step}: {detail}") from None
    url = f"{api.endpoint}/datasets/{repo_id}/tree/{tag}"
    return PublishResult(repo_id=repo_id, tag=tag, commit_sha=commit.oid, url=url)


def _hub_layout_files(folder: Path) -> list[str]:
    """The files to publish (POSIX paths relative to `folder`), after checking the layout."""
    if not folder.is_dir():
        raise MmprivError(f"{folder}: not a folder")
    if not (folder / "README.md").is_file():
        raise MmprivError(f"{folder}: not a Hub-layout dataset folder (no README.md)")
    if not any(folder.glob("*/*.parquet")):
        raise MmprivError(f"{folder}: not a Hub-layout dataset folder (no <config>/*.parquet)")
    files = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        # Hidden entries (.git, .cache, .DS_Store, ...) are local state, never published.
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            files.append(relative.as_posix())
    return files


def _operations(
    api: HfApi, repo_id: str, folder: Path, files: list[str], head: str | None, token: str
) -> list[CommitOperationAdd | CommitOperationDelete]:
    """Add every local file; delete remote parquet files the new build no longer has."""
    remote = (
        api.list_repo_files(repo_id, repo_type=_REPO_TYPE, revision=head, token=token)
        if head
        else []
    )
    keep = set(files)
    stale = [p for p in remote if p.endswith(".parquet") and p not in keep]
    deletions = [CommitOperationDelete(path_in_repo=p) for p in stale]
    additions = [CommitOperationAdd(path_in_repo=p, path_or_fileobj=folder / p) for p in files]
    return [*deletions, *additions]


def _http_message(err: HfHubHTTPError, repo_id: str, step: str, tag: str, token: str) -> str:
    status = err.response.status_code if err.response is not None else None
    if status in (401, 403):
        why = "the token was refused or has no write access to it"
    elif status == 409 and step.startswith("creating tag"):
        why = f"tag {tag} was created by someone else meanwhile; nothing was overwritten"
    elif status == 412:
        why = "its main branch changed while publishing; publish again"
    else:
        server = err.server_message or (str(err).splitlines() or ["?"])[0]
        why = f"HTTP {status}: {server.strip().splitlines()[0] if server.strip() else '?'}"
    return _scrub(f"{repo_id}: failed while {step}: {why}", token)


def _scrub(text: str, token: str) -> str:
    """Never let a token reach a message, whatever a server echoes back."""
    return text.replace(token, "***") if token else text
