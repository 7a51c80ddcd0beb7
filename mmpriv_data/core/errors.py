"""The one exception type the CLI turns into a single clear line and a non-zero exit."""


class MmprivError(Exception):
    """A user-facing error: the message names the file, row or option at fault."""
