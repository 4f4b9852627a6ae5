"""The client's exit codes, and ``Failure``, which stops a command with one.

A module of its own so that the command line (``cli``), the certificate requests
(``certrequest``) and the window (``window``) share them without importing each other: ``cli``
imports the other two, never the other way round (``tests/test_dependencies.py``).
"""

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_NOT_CONFIGURED = 3
EXIT_BAD_RECORDS = 4
EXIT_NOTHING_TO_EXPORT = 5
EXIT_CERTIFICATE = 6
EXIT_REFUSED = 7
EXIT_UNAVAILABLE = 8


class Failure(Exception):
    """Stop the command: ``text`` goes to stderr, ``exit_code`` to the shell; ``code`` is the
    uploader's refusal code when there was one."""

    def __init__(self, exit_code: int, text: str, code: str = ""):
        super().__init__(text)
        self.exit_code = exit_code
        self.text = text
        self.code = code
