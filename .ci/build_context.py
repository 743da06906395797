"""What `docker build .` would send as its context: every file of the source tree that .dockerignore does not
exclude, matched as Docker matches (paths relative to the root, `*` and `?` within one path segment, `**` across
any number, a pattern that matches a folder excludes what is in it, `!` makes an exception, the last match wins).
``python3 .ci/build_context.py SOURCE TARGET`` copies it into TARGET (CI's replay of the image's build,
.ci/replay-image); tests/ops/test_container.py lists it."""
from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path


def read_patterns(root: Path) -> list[tuple[re.Pattern[str], bool]]:
    """Each pattern of ROOT/.dockerignore as (regex, excludes): comments and blank lines skipped."""
    ignore = root / ".dockerignore"
    rules = []
    for line in ignore.read_text().splitlines() if ignore.exists() else []:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        excludes = not line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        rules.append((re.compile(_regex(pattern)), excludes))
    return rules


def _regex(pattern: str) -> str:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            if pattern.startswith("/", i):  # `**/x` also matches `x` at the top
                out = out[:-2] + "(?:.*/)?"
                i += 1
            continue
        char = pattern[i]
        out += "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char)
        i += 1
    return out + r"\Z"


def excluded(relative: str, rules: list[tuple[re.Pattern[str], bool]]) -> bool:
    """Whether Docker leaves this path out: the last rule matching it, or any folder above it, decides."""
    parts = relative.split("/")
    verdict = False
    for regex, excludes in rules:
        if any(regex.match("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            verdict = excludes
    return verdict


def context_files(root: Path) -> list[str]:
    """The context's files, relative to ROOT, sorted; symbolic links are listed, never followed."""
    rules = read_patterns(root)
    exceptions = any(not excludes for _, excludes in rules)
    found = []
    for folder, dirs, files in os.walk(root):
        base = Path(folder).relative_to(root).as_posix()
        prefix = "" if base == "." else base + "/"
        kept = []
        for name in dirs:
            path = root / prefix / name
            if path.is_symlink():
                files.append(name)
            elif exceptions or not excluded(prefix + name, rules):
                kept.append(name)
        dirs[:] = kept
        found += [prefix + name for name in files if not excluded(prefix + name, rules)]
    return sorted(found)


def copy_context(root: Path, target: Path) -> int:
    files = context_files(root)
    for relative in files:
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, destination, follow_symlinks=False)
    return len(files)


if __name__ == "__main__":
    source, target = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    print(f"build context: {copy_context(source, target)} files copied to {target}")
