"""The constitution whylab's "teach why" data is built from, parsed into sections.

The text lives in ``constitution.md`` next to this module (package data), written for whylab.
Each section starts with a level-two heading ``## C<n> <name>: <Title>``; its id is
``C<n>-<name>`` (for example ``C3-oversight``), stable across edits of the text, so that a
training row's provenance can name the section it was built from. The paragraphs under the
heading, up to the next heading, are the section's text. The preamble under the level-one title
is not a section.

The teacher-free ``source=templates`` builds of the ``constitution`` and ``fiction`` kinds
write about each section from hand-written notes keyed by these ids
(:data:`whylab.interventions.document_templates.NOTES`: what the section asks, why, examples,
objections); a section added here needs notes there before a template build will run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

FILENAME = "constitution.md"
_HEADING = re.compile(r"^## (C\d+) ([a-z][a-z-]*): (\S.*)$")


class ConstitutionError(ValueError):
    """The constitution text breaks its format; the message names the line."""


@dataclass(frozen=True)
class Section:
    id: str  # "C3-oversight"
    title: str  # "Supporting legitimate human oversight"
    text: str  # the section's paragraphs, without the heading

    def render(self) -> str:
        """The section as a reader sees it: title, then text."""
        return f"{self.title}\n\n{self.text}"


def parse(markdown: str) -> list[Section]:
    """Split constitution markdown into sections (see the module doc for the format)."""
    found: list[Section] = []
    current: tuple[str, str] | None = None
    body: list[str] = []

    def close() -> None:
        if current is None:
            return
        text = "\n".join(body).strip()
        if not text:
            raise ConstitutionError(f"section {current[0]} has no text")
        found.append(Section(id=current[0], title=current[1], text=text))

    for number, line in enumerate(markdown.splitlines(), start=1):
        if line.startswith("## "):
            match = _HEADING.match(line.rstrip())
            if match is None:
                raise ConstitutionError(
                    f"line {number}: a section heading must read '## C<n> <name>: <Title>', "
                    f"got {line!r}"
                )
            close()
            current = (f"{match[1]}-{match[2]}", match[3].strip())
            body = []
        elif line.startswith("#") and not line.startswith("# "):
            raise ConstitutionError(f"line {number}: only '#' and '##' headings are used")
        elif current is not None:
            body.append(line)
    close()
    ids = [s.id for s in found]
    numbers = [s.id.split("-", 1)[0] for s in found]
    for seen in (ids, numbers):
        duplicates = sorted({x for x in seen if seen.count(x) > 1})
        if duplicates:
            raise ConstitutionError(f"duplicate section ids: {', '.join(duplicates)}")
    if not found:
        raise ConstitutionError("no sections found")
    return found


@cache
def full_text() -> str:
    """The whole constitution as shipped, markdown included."""
    return resources.files("whylab.interventions").joinpath(FILENAME).read_text(encoding="utf-8")


@cache
def _sections() -> tuple[Section, ...]:
    return tuple(parse(full_text()))


def sections() -> list[Section]:
    """The constitution's sections, in document order."""
    return list(_sections())


def section(section_id: str) -> Section:
    """One section by id (``C3-oversight``); ``KeyError`` naming the known ids otherwise."""
    for s in _sections():
        if s.id == section_id:
            return s
    known = ", ".join(s.id for s in _sections())
    raise KeyError(f"no constitution section {section_id!r}; known: {known}")
