"""Shared pytest setup for mmpriv.

Sections (add new fixtures in their own section at the end):
1. Environment: set at import, before anything imports huggingface_hub or datasets (both read
   their settings at import time).
2. Network guard: tests never reach the real network; only loopback is allowed.
3. Hub test double: one in-memory Hub for the session; HF_ENDPOINT points at it.
4. Probe set: a small real privacy-images build for the probing and lens tests.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import sys
import tempfile

import pytest

# --- 1. Environment ------------------------------------------------------------------------

if "huggingface_hub" in sys.modules or "datasets" in sys.modules:
    raise RuntimeError("tests/conftest.py must run before huggingface_hub/datasets are imported")

FAKE_HF_TOKEN = "hf_mmprivTESTtokenNOTreal0123456789"
_TMP = tempfile.mkdtemp(prefix="mmpriv-tests-")
for _name in (
    "HF_HUB_OFFLINE",
    "HF_DATASETS_OFFLINE",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_TOKEN_PATH",
    "HF_OIDC_RESOURCE",
    "HF_HUB_CACHE",
):
    os.environ.pop(_name, None)
os.environ.update(
    HF_HUB_DISABLE_TELEMETRY="1",
    HF_HUB_DISABLE_XET="1",
    HF_HUB_DISABLE_PROGRESS_BARS="1",
    HF_HOME=os.path.join(_TMP, "hf_home"),
    HF_DATASETS_CACHE=os.path.join(_TMP, "datasets_cache"),
)

# --- 2. Network guard ----------------------------------------------------------------------

_real_connect, _real_getaddrinfo = socket.socket.connect, socket.getaddrinfo


def _is_loopback(host: object) -> bool:
    if host in (None, "", "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_connect(sock: socket.socket, address) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise ConnectionRefusedError(f"tests may not reach the network (tried {address[0]})")
    return _real_connect(sock, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if not _is_loopback(host):
        raise socket.gaierror(socket.EAI_NONAME, f"tests may not resolve {host}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo

# --- 3. Hub test double --------------------------------------------------------------------

from hub_double import HubDouble  # noqa: E402  (tests/ is on sys.path under pytest)

_HUB = HubDouble(token=FAKE_HF_TOKEN).start()
os.environ["HF_ENDPOINT"] = _HUB.endpoint
os.environ["HF_TOKEN"] = FAKE_HF_TOKEN


def pytest_unconfigure(config: pytest.Config) -> None:
    _HUB.stop()
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture
def hub() -> HubDouble:
    """The session's Hub test double, emptied for this test (`hub.unique_repo_id()` too)."""
    _HUB.reset()
    return _HUB


@pytest.fixture
def hub_token() -> str:
    """The fake token the Hub test double accepts (also in HF_TOKEN)."""
    return FAKE_HF_TOKEN


# --- 4. Probe set --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def probe_set(tmp_path_factory):
    """A real privacy-images build, small: 24 probe rows (12 per user set), 128x128 (one
    build per test module that asks for it)."""
    from mmpriv_data.hub.build import build

    out = tmp_path_factory.mktemp("data")
    settings = {"num_images": "4", "num_probe": "24", "width": "128", "height": "128"}
    build("privacy-images", out, settings=settings, configs=["probe", "rate_0"])
    return out / "privacy-images"


@pytest.fixture
def model_flags(monkeypatch):
    """Runs the scrubber's learned mode with a stub model that flags exactly `flags` (word ->
    attribute, probability 1) and nothing else, with the filters on or off: tests of what the
    mode does with a flag, whatever the shipped adapter has learned."""
    from mmpriv_data.transforms.scrub import learned, scrub

    def run(text: str, flags: dict[str, str], filters: bool = True) -> str:
        def probabilities(text, spans):
            return [(flags.get(text[a:b], "gender"), 1.0 if text[a:b] in flags else 0.0)
                    for a, b in spans]  # fmt: skip

        with monkeypatch.context() as patch:
            patch.setattr(learned, "word_probabilities", probabilities)
            if not filters:
                patch.setattr(learned, "allowed", lambda view, flagged: flagged)
            return scrub(text, tagger="learned").text

    return run
