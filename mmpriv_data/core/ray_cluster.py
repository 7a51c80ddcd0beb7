"""Ray, when asked for (`--engine ray`): joining a cluster, and running numbered work units on
it in order with Ray Data. Ray does the distribution, retries and backpressure; nothing here
schedules. Ray is an optional extra (`pip install "mmpriv[ray]"`), imported only when used.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Callable, Iterator

from mmpriv_data.core.errors import MmprivError

ENGINES = ("local", "ray")
CONNECT_TIMEOUT_S = 5
log = logging.getLogger("mmpriv")


def import_ray():
    try:
        import ray
        import ray.data  # noqa: F401 - the Data library is the part mmpriv needs
    except ImportError:
        raise MmprivError(
            '--engine ray: Ray is not installed; install it with pip install "mmpriv[ray]"'
        ) from None
    return ray


@contextlib.contextmanager
def connected(address: str | None) -> Iterator[object]:
    """Ray, connected to `address` (None or "local": a one-machine Ray started here).

    A connection this call opens is closed on exit; one the caller opened is left alone.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    if address not in (None, "", "local", "auto"):
        _check_reachable(address)
    try:
        ray.init(
            address=None if address in (None, "", "local") else address,
            logging_level=logging.WARNING,
            log_to_driver=False,
            include_dashboard=False,
        )
    except (ConnectionError, RuntimeError, ValueError) as error:
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        message = f"--address {address}: cannot join the Ray cluster ({first_line})"
        raise MmprivError(message) from None
    try:
        yield ray
    finally:
        ray.shutdown()


def _check_reachable(address: str) -> None:
    """Fail in seconds on a mistyped HEAD:PORT (`ray.init` would retry for minutes)."""
    if address.startswith("ray://"):
        return  # Ray Client: its own connection checks
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise MmprivError(f"--address {address}: expected HEAD:PORT, e.g. 10.0.0.5:6379")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise MmprivError(
            f"--address {address}: no Ray head answers there ({reason}); "
            "start one with `ray start --head`"
        ) from None


def ordered_results(ray, count: int, work: Callable[[int], bytes], *, name: str) -> Iterator[bytes]:
    """`work(i)` for i in 0..count-1, run by Ray Data tasks anywhere on the cluster, in order.

    Ray Data keeps the order (`preserve_order`), retries tasks lost with a node and streams
    the results with backpressure. A user error (MmprivError) raised by `work` comes back as
    the same one line; anything else that stops the run, as one line naming `name`.
    """

    def run_units(batch: dict) -> dict:
        results, errors = [], []
        for unit in batch["unit"]:
            try:
                results.append(work(int(unit)))
                errors.append("")
            except MmprivError as error:  # the user's mistake, not the cluster's: no retry
                results.append(b"")
                errors.append(str(error) or type(error).__name__)
        return {"result": results, "error": errors}

    for logger in ("ray", "ray.data"):
        logging.getLogger(logger).setLevel(logging.WARNING)
    # mmpriv shows its own progress; Ray Data's notice that its bars are off is noise.
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    units = ray.data.range(count, override_num_blocks=max(1, min(count, 1000)))
    results = units.rename_columns({"id": "unit"}).map_batches(run_units, batch_size=1)
    try:
        for row in results.iter_rows():
            if row["error"]:
                raise MmprivError(row["error"])
            yield row["result"]
    except MmprivError:
        raise
    except Exception as error:  # Ray wraps what went wrong in its own exception types
        cause = getattr(error, "cause", None) or error
        first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        raise MmprivError(f"{name}: the Ray run failed: {first_line}") from error
