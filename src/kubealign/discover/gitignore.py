"""Which paths a repository's ``.gitignore`` files exclude, matched by ``pathspec``.

``pathspec.GitIgnoreSpec`` implements the gitignore(5) pattern language (negation with ``!``,
last match wins, ``/`` anchoring, directory-only rules, ``**``) as Git does, so kubealign
keeps no pattern translator of its own. This module only adds what one spec per file does not
know: several ``.gitignore`` files, each applying below its own directory, a deeper file's
rules winning over a shallower one's. A file inside an excluded directory cannot be
re-included; the walker gets that for free by not descending into excluded directories.
"""

from __future__ import annotations

from dataclasses import dataclass

from pathspec import GitIgnoreSpec
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern


@dataclass(frozen=True, slots=True)
class IgnoreFile:
    """The rules of one ignore file, which apply to paths below ``base``."""

    base: str
    spec: GitIgnoreSpec

    def verdict(self, rel_path: str, is_dir: bool) -> bool | None:
        """True: ignored, False: re-included by a ``!`` rule, None: no rule matches."""
        if self.base:
            prefix = self.base + "/"
            if not rel_path.startswith(prefix):
                return None
            rel_path = rel_path[len(prefix):]
        # pathspec tells directories by their trailing slash (``build/`` rules match only those).
        result = self.spec.check_file(rel_path + "/" if is_dir else rel_path)
        return result.include


def parse_gitignore(text: str, base: str) -> tuple[IgnoreFile, ...]:
    """The rules of one .gitignore whose directory is ``base`` (relative POSIX, "" = root);
    empty when the file has no rule (blank lines and comments only).

    A line pathspec refuses (a lone ``!``) is skipped, as Git skips it: a repository's odd
    .gitignore must not stop the walk."""
    patterns = []
    for line in text.splitlines():
        try:
            pattern = GitIgnoreSpecPattern(line)
        except ValueError:
            continue
        if pattern.include is not None:  # blank lines and comments match nothing
            patterns.append(pattern)
    return (IgnoreFile(base, GitIgnoreSpec(patterns)),) if patterns else ()


@dataclass(frozen=True, slots=True)
class IgnoreMatcher:
    """Ignore files in precedence order: later ones (deeper directories) win."""

    files: tuple[IgnoreFile, ...] = ()

    def extended(self, more: tuple[IgnoreFile, ...]) -> IgnoreMatcher:
        return IgnoreMatcher(self.files + more) if more else self

    def is_ignored(self, rel_path: str, is_dir: bool) -> bool:
        for ignore_file in reversed(self.files):
            verdict = ignore_file.verdict(rel_path, is_dir)
            if verdict is not None:
                return verdict
        return False
