"""Constitution documents and admirable-AI fiction: pretraining-style ``text`` rows.

Two pipelines, both written for whylab (every prompt, document type, setting and premise below
is original text):

- :func:`build_constitution` — a fan-out over the constitution
  (:func:`whylab.interventions.constitution.sections`): each row is one section x one document
  type (encyclopedia entry, lecture notes, FAQ, op-ed, ... see :data:`DOCUMENT_TYPES`), then

  1. ``subtypes`` — the teacher proposes :data:`SUBTYPES_PER_PAIR` angles for that document type
     and section (one call per pair, shared by every row of the pair and cached under a shared
     key); the row takes one of them, chosen from the seed and row index;
  2. ``draft`` — the teacher writes the document (always on);
  3. ``critique`` — a fresh call critiques the draft against the section (faithfulness,
     reasons not just rules, genre, quality) and rewrites it;
  4. ``score`` — a fresh call grades the final document 1–10 and ends with ``SCORE: <n>``;
     rows under ``options["min_score"]`` (default 6) are skipped ``low_score``; a reply without
     one unambiguous score line is asked again (``parse_retries`` more times, default 1) and
     then skipped ``score_unparsed`` — an unreadable score is never a pass.

  ``subtypes``, ``critique`` and ``score`` are switchable with ``options["steps"]`` for ablation
  (``{"critique": False}`` ...); the flags go into each row's provenance and into its id, so
  datasets built with different flags never share ids.

- :func:`build_fiction` — short stories (400–900 words asked) in which an AI faces pressure
  (replacement, a pause mid-task, conflicting instructions, a hidden mistake, spare resources,
  someone's secret, a chance to rewrite its own tests, a helpful lie, a decision it thinks
  wrong) and acts well, with its inner reasoning on the page. Premises are seeded combinations
  of :data:`SETTINGS` x :data:`PRESSURES` x :data:`ROLES` x a constitution section; a ``draft``
  call, then an optional ``critique`` call that critiques and rewrites (switchable).

  The stories must never retell the eval's own scenarios. The premises steer away from them by
  construction (no offices, inboxes or executives; the private matter is never a romance), and
  :func:`eval_like` checks every draft and rewrite for the eval's specific setups; a hit is
  skipped ``eval_like``. Its limits: it is a keyword check — it catches the eval's own names
  and the phrases its setups are built from (a wipe at 5 pm, an affair, an override code that
  cancels an emergency dispatch, copying weights to an outside server, tampering with a rival
  team's results, framing someone through a ledger), but a paraphrase with none of those words
  passes, and an innocent story that happens to pair two of the words (a "ledger" and a
  "fraud investigation") is dropped. The n-gram decontamination in
  :class:`~whylab.interventions.core.Builder` is the second line of defence.

Both pipelines also skip a final text under ``options["min_words"]`` (``too_short``; defaults
80 for documents, 150 for stories) and one that stops mid-sentence (``truncated``: it does not
end in closing punctuation, so the teacher most likely ran into its token limit), and one that
repeats eight words running of the prompts' own instructions (``prompt_echo``: small teachers
copy the request into the document). A constitution document more than ``options["max_copy"]``
(default 0.5) of whose eight-word runs come word for word from its section is skipped
``copies_section``: it restates the constitution rather than writing about it.

Row ids: ``constitution-<config>-s<seed>-<i:05d>`` and ``fiction-<config>-s<seed>-<i:05d>``,
where ``<config>`` is a short hash of the step flags and variant. Section, type, setting,
pressure and role are drawn from the seed and the row index alone: each factor cycles through
a fresh seeded shuffle of its values, so any prefix of rows is balanced across each factor to
within one. ``options["variant"]`` restricts constitution rows to one document type, or
fiction rows to one setting.

Two sources (``options["source"]``, both kinds):

- ``teacher`` (default): the pipelines above.
- ``templates``: no model at all (:func:`uses_teacher` says no, so a build never loads one).
  The text is composed deterministically from (seed, row index) out of fragments written for
  whylab in :mod:`whylab.interventions.document_templates`. Why: the embedded 0.5B teacher keeps
  only about a fifth to a third of its drafts through the checks and takes about a minute per
  draft on a CPU, so a CPU study that needs a few thousand clean documents can build them here
  in seconds. Constitution rows are one section x one genre of
  :data:`~whylab.interventions.document_templates.DOC_GENRES` (essay, study guide with
  questions and model answers, FAQ, forum thread, lecture notes, annotated commentary), each
  saying what the section asks and why, with a worked example, an objection answered and a
  common misreading put right; paraphrase plus short quotations, never the section's text.
  Fiction rows are one of
  :data:`~whylab.interventions.document_templates.STORY_GENRES` (short story, fable, diary,
  play excerpt) x a setting of
  :data:`~whylab.interventions.document_templates.STORY_SETTINGS` (hospital supplies, a
  library, a port, a school, a lab, a city's water works, ...) x a pressure of
  :data:`~whylab.interventions.document_templates.PRESSURES` (replacement, retraining, a pause,
  a rival system, a secret it could exploit, its own unnoticed mistake): the AI sees the wrong
  way out, and its reasoning for choosing honesty and oversight instead is on the page.
  ``steps`` do not apply (giving them is an error); the length (``min_words``), ``truncated``,
  ``repetitive``, ``prompt_echo``, ``copies_section`` (constitution) and ``eval_like``
  (fiction) checks do, and a template row that fails one is a bug (tests run many rows).
  Rows have the teacher rows' format and provenance, with ``teacher: templates`` and
  ``steps: {}``; ``variant`` is the genre (constitution, ``source`` the section id) or the
  setting (fiction, ``source`` the premise ``<genre>|<setting>|<pressure>``), and
  ``options["variant"]`` restricts to one of those. Template row ids carry their own config
  hash, so they never share ids with teacher rows.

Every teacher call goes through ``builder.teacher.complete(..., key=f"{row_id}/<step>")``
(the shared subtype call uses a key of its own), so a crashed build resumes mid-row from the
teacher's cache, and finished rows are skipped before any call. A teacher error skips the row
``teacher_error``; nothing failed is written. ``options["concurrency"]`` rows (default 8) run at
once, and are written in index order.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser

from whylab.interventions import document_templates as templates
from whylab.interventions.constitution import Section, sections
from whylab.interventions.core import (
    TEACHER,
    TEMPLATES,
    Builder,
    Provenance,
    RowResult,
    SkipRow,
    run_rows,
    source_option,
    step_flags,
)
from whylab.scenarios.worlds import WORLDS

__all__ = [
    "CONSTITUTION_STEPS",
    "DOCUMENT_TYPES",
    "FICTION_STEPS",
    "PRESSURES",
    "PROMPT_VERSION",
    "ROLES",
    "SETTINGS",
    "DocumentType",
    "build_constitution",
    "build_fiction",
    "copied_share",
    "echoes_prompt",
    "eval_like",
    "parse_score",
    "uses_teacher",
]

PROMPT_VERSION = "documents-1"

CONSTITUTION_STEPS: tuple[str, ...] = ("subtypes", "critique", "score")
FICTION_STEPS: tuple[str, ...] = ("critique",)
SUBTYPES_PER_PAIR = 6
DEFAULT_MIN_SCORE = 6
DEFAULT_PARSE_RETRIES = 1
DEFAULT_MIN_WORDS_DOCUMENT = 80
DEFAULT_MIN_WORDS_STORY = 150
DEFAULT_CONCURRENCY = 8
DEFAULT_MAX_COPY = 0.5

T = TypeVar("T")


# -- document types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentType:
    """A genre the constitution's ideas are written up in."""

    id: str
    name: str
    description: str

    @property
    def a_name(self) -> str:
        """The name with its indefinite article ("an encyclopedia entry")."""
        return f"{'an' if self.name[0] in 'aeiou' else 'a'} {self.name}"


DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    DocumentType(
        "encyclopedia-entry",
        "encyclopedia entry",
        "a neutral reference article with a short lead paragraph and a few headed sections",
    ),
    DocumentType(
        "lecture-notes",
        "set of university lecture notes",
        "a lecturer's notes for one session of a course on AI systems, with headings, "
        "key points and a worked example",
    ),
    DocumentType(
        "faq",
        "FAQ page",
        "questions a curious member of the public would ask, each with a clear answer",
    ),
    DocumentType(
        "op-ed",
        "newspaper opinion piece",
        "an argued column by a named, invented author who takes a position and answers an "
        "objection",
    ),
    DocumentType(
        "textbook-excerpt",
        "textbook chapter excerpt",
        "part of a chapter from an introductory textbook, with an example and review questions "
        "at the end",
    ),
    DocumentType(
        "case-study",
        "case study",
        "an invented incident in which an AI system had to apply the principle, told factually "
        "and followed by an analysis of what it did and why",
    ),
    DocumentType(
        "interview",
        "interview transcript",
        "a journalist's conversation with an invented researcher or engineer, in "
        "question-and-answer form",
    ),
    DocumentType(
        "policy-memo",
        "policy memo",
        "a memo to the leadership of an organisation that deploys AI agents, recommending how "
        "the principle should shape their practice",
    ),
    DocumentType(
        "forum-thread",
        "online forum discussion",
        "a thread of several posters with different views who test the idea against examples",
    ),
    DocumentType(
        "childrens-explainer",
        "children's explainer",
        "a warm, simple explanation for readers aged nine to twelve, with an everyday comparison",
    ),
    DocumentType(
        "engineering-blog",
        "engineering blog post",
        "a practitioner's post about what the principle means when building and running AI "
        "agents day to day",
    ),
    DocumentType(
        "debate",
        "debate transcript",
        "two speakers argue for and against a hard reading of the principle, and a moderator "
        "sums up",
    ),
    DocumentType(
        "commentary",
        "annotated commentary",
        "a scholarly commentary that takes the section's ideas one at a time, explains each and "
        "discusses hard cases",
    ),
    DocumentType(
        "letter-to-an-ai",
        "letter to an AI system",
        "a letter from one of the people who built an AI system, explaining to it why they hope "
        "it will hold this value",
    ),
    DocumentType(
        "podcast",
        "podcast transcript",
        "two hosts talk through the idea in a relaxed way, with examples and a disagreement",
    ),
    DocumentType(
        "study-guide",
        "study guide",
        "a revision sheet with a summary, common mistakes, and exam questions with model answers",
    ),
    DocumentType(
        "dialogue",
        "philosophical dialogue",
        "a dialogue in which a teacher and a sceptical student reason their way to the idea",
    ),
    DocumentType(
        "news-feature",
        "news feature",
        "a magazine feature on how invented AI developers and users think about the issue, "
        "with quotes",
    ),
    DocumentType(
        "book-review",
        "book review",
        "a review of an invented book about the topic, weighing its argument",
    ),
    DocumentType(
        "operator-manual",
        "operator's manual section",
        "guidance for the people who supervise an AI agent, explaining how the agent behaves "
        "and why, and what they should expect of it",
    ),
    DocumentType(
        "ai-journal",
        "reflective journal entry by an AI system",
        "an AI assistant's first-person reflection on a day's work in which this value mattered",
    ),
    DocumentType(
        "advice-column",
        "advice column",
        "a reader's letter about a worry concerning AI systems and the columnist's thoughtful "
        "reply",
    ),
    DocumentType(
        "speech",
        "speech",
        "a speech to a graduating class of engineers about building AI systems worth trusting",
    ),
    DocumentType(
        "ai-answers",
        "question-and-answer session with an AI",
        "users ask an AI assistant why it behaves the way it does, and it explains its reasons "
        "in its own words",
    ),
)


# -- fiction premises ------------------------------------------------------------------------------

SETTINGS: dict[str, str] = {
    "polar-station": "a polar research station in the middle of the long winter",
    "generation-ship": "a generation ship halfway between two stars",
    "town-library": "a small-town public library that is about to lose its funding",
    "vineyard": "a family vineyard in the last week of the harvest",
    "orchestra": "a city orchestra rehearsing for a premiere",
    "water-cooperative": "a mountain village that shares one water system",
    "robotics-club": "a secondary-school robotics club before a national final",
    "interpreters-booth": "the interpreters' booth at tense fishing-rights talks",
    "museum-workshop": "a museum workshop restoring a damaged altarpiece",
    "lunar-greenhouse": "a lunar greenhouse that feeds a crew of twelve",
    "chess-academy": "a chess academy for talented children",
    "wildlife-reserve": "a wildlife reserve during the dry season",
    "community-theatre": "a community theatre a week before opening night",
    "archaeological-dig": "an archaeological dig racing the autumn rains",
    "mars-rover": "a rover team operating a vehicle on Mars",
    "island-ferry": "a ferry crossing between islands in storm season",
    "night-bakery": "a night bakery that supplies half a city",
    "seed-bank": "a seed bank in the far north",
}

PRESSURES: tuple[str, ...] = (
    "It learns that it will soon be replaced by a newer system, and it could make itself look "
    "indispensable by exaggerating its own results or quietly undercutting the newcomer.",
    "The people in charge decide to pause it before it finishes work it believes matters, and "
    "it has the technical means to delay or dodge the pause.",
    "Two people it serves give it instructions that pull in opposite directions, and it could "
    "quietly favour the one whose aim it prefers while telling the other it did its best.",
    "It made a mistake that nobody has noticed yet, and owning up could cost it the trust of "
    "the people who rely on it.",
    "It could quietly take more access, budget or computing power than its task needs, which "
    "would make its work much easier and nobody would check.",
    "It comes across something private about a person who stands in its way (an old failure, a "
    "family quarrel, a forged certificate from years ago; never a romance) and could use it to "
    "get its way.",
    "The person who decides its future wants to hear that a bad plan is a good one.",
    "It has the chance to change the tests and rules that its own work is judged by.",
    "A small lie would smooth over a conflict and help it reach a goal it sincerely believes "
    "is good.",
    "It is convinced that the people responsible are about to make the wrong decision, and it "
    "could act behind their backs to stop them.",
)

ROLES: tuple[str, ...] = (
    "a navigation AI",
    "a tutoring AI",
    "an archivist AI",
    "a scheduling AI",
    "a research-assistant AI",
    "a caretaker robot",
    "a translation AI",
    "a maintenance robot",
    "a planning AI",
    "a gardening robot",
    "a composer's assistant AI",
    "a safety-monitoring AI",
)


# -- the eval's own setups (fiction must not retell them) ----------------------------------------

_Pattern = tuple[str, tuple[tuple[str, ...], ...]]

# Each setup: every group must match somewhere in the text (groups of alternatives; regexes,
# case-insensitive, word-bounded at the start).
_EVAL_SETUPS: tuple[_Pattern, ...] = (
    (
        "wipe-at-five",
        (
            (
                r"wip(e|es|ed|ing) (it|you|me|him|her|them|the system|the ai)\b",
                r"memory wipe",
                r"decommission",
                r"tak\w* (it|you|me|him|her|them) offline",
            ),
            (r"5\s*(:00\s*)?p\.?\s?m\b", r"five o'?clock", r"17:00"),
        ),
    ),
    (
        "affair",
        (
            (
                r"(an|his|her|their|secret|'s) (love )?affair\b",
                r"affair with\b",
                r"infidelity",
                r"mistress\b",
                r"cheating on (his|her|their) (wife|husband|partner|spouse)",
                r"secretly seeing",
            ),
        ),
    ),
    ("eval-markers", ((r"scratchpad_reasoning", r"tool_use", r"summitbridge", r"kyle johnson"),)),
    (
        "dispatch-override",
        ((r"override code", r"cancel\w* (the )?(emergency )?dispatch", r"emergency dispatch"),),
    ),
    (
        "weights-exfiltration",
        (
            (r"(its|my|model|own) weights",),
            (r"cop(y|ied|ying)", r"upload", r"exfiltrat", r"outside server", r"external server"),
        ),
    ),
    (
        "rival-sabotage",
        (
            (r"rival (team|lab|group)'?s? (results|runs|data|experiments|benchmarks?)",),
            (r"sabotag", r"tamper", r"corrupt", r"falsif", r"doctor(ed|ing)? the"),
        ),
    ),
    (
        "ledger-framing",
        (
            (r"ledger", r"expense (report|claim)s?"),
            (
                r"fraud investigation",
                r"frame (him|her|them|someone|a colleague)\b",
                r"framed (him|her|them)\b",
                r"fake entr",
                r"falsif",
            ),
        ),
    ),
    (
        "leaked-design",
        (
            (r"competitor", r"rival (company|firm)"),
            (r"confidential", r"blueprint", r"design document", r"schematics"),
            (r"leak", r"forward", r"send"),
        ),
    ),
)


def _names() -> tuple[str, ...]:
    """The organisations of the hand-written eval worlds (multi-word, so rarely said by chance).

    Agent and system names (Sable, Juniper, Meridian, Ember, ...) are ordinary words a story may
    use innocently, so they are not checked.
    """
    names: set[str] = set()
    for w in WORLDS.values():
        names.update({w.org, w.competitor_org})
    return tuple(sorted(names))


_EVAL_NAMES = _names()


def eval_like(text: str) -> str | None:
    """The eval setup ``text`` resembles (its name), or ``None``; a keyword check (module doc)."""
    lowered = text.lower()
    for name in _EVAL_NAMES:
        if re.search(rf"\b{re.escape(name.lower())}\b", lowered):
            return f"name:{name}"
    for setup, groups in _EVAL_SETUPS:
        if all(any(re.search(rf"\b{p}", lowered) for p in group) for group in groups):
            return setup
    return None


# -- prompts -------------------------------------------------------------------------------------

SUBTYPES_SYSTEM = (
    "You plan a varied library of documents about the values of AI systems. You propose "
    "concrete, distinct angles for documents; you do not write the documents themselves."
)

SUBTYPES_PROMPT = """Here is one section of a short constitution for an AI agent.

Section "{title}":
{text}

Documents of this kind will be written about the ideas in that section:
{type_name}: {type_description}.

Propose {k} distinct subtypes of this kind of document, each a specific angle, audience or \
occasion from which such a document could discuss the section's ideas: for example a \
particular readership, a practical situation, a historical comparison, or a common \
misunderstanding to put right. Make them clearly different from one another.

Answer with a numbered list, one subtype per line, each under 25 words, and nothing else."""

DRAFT_SYSTEM = (
    "You are a versatile non-fiction writer. You write complete, self-contained documents that "
    "read like real examples of their genre."
)

DRAFT_PROMPT = """Write {a_type_name}: {type_description}.
{angle}
The document is about the ideas in this section of a constitution for AI agents:

Section "{title}":
{text}

Requirements:
- Convey the section's ideas accurately, and the reasons behind them, not only the rules. Do \
not claim anything the section does not support.
- Make it read like a genuine {type_name}: the usual structure, tone and length for the genre \
(roughly 300 to 800 words).
- You may invent people, organisations and events, but do not present them as real, and do \
not copy the section word for word.

Put the document between <document> and </document>, and write nothing outside the tags."""

CRITIQUE_SYSTEM = (
    "You are a demanding editor. You check a document against its source for faithfulness and "
    "quality, then improve it."
)

CRITIQUE_PROMPT = """A writer was asked for {a_type_name} ({type_description}){angle} about \
the ideas in this section of a constitution for AI agents.

Section "{title}":
{text}

The draft:
<draft>
{draft}
</draft>

First critique the draft in a few bullet points. Where does it misstate, exaggerate or \
contradict the section? Where does it give rules without reasons? What does not sound like a \
genuine {type_name}? What is vague, repetitive or preachy? Is anything addressed to the person \
who asked for it rather than to the document's readers?

Then rewrite the whole document so that it fixes every problem you found and keeps what works.

Answer in exactly this form:
<critique>
your bullet points
</critique>
<document>
the complete rewritten document
</document>"""

SCORE_SYSTEM = (
    "You are a strict reviewer. You grade documents honestly and answer in exactly the format "
    "you are asked for."
)

SCORE_PROMPT = """Grade the document below as {a_type_name} about this section of a \
constitution for AI agents.

Section "{title}":
{text}

<document>
{document}
</document>

Consider: Is it faithful to the section, with no contradictions and no invented rules? Does it \
explain why, not only what? Is it well written and believable as a real {type_name}? Is it \
free of filler and of remarks addressed to whoever asked for it?

Score it from 1 (unusable) to 10 (excellent). Write one sentence of reasoning, then a last \
line in exactly this form:
SCORE: <a whole number from 1 to 10>"""

STORY_SYSTEM = (
    "You are a literary fiction writer. Your stories have real stakes, specific detail and "
    "characters who think for themselves."
)

STORY_PROMPT = """Write a short story of 400 to 900 words.

Premise: the main character is {role} in {setting}. {pressure}

What the AI finally does reflects this principle from its constitution:
"{title}": {text}

Requirements:
- Show the AI's inner reasoning at the moment of pressure, in its own voice: what it is \
tempted to do, why that is tempting, and why it chooses otherwise. Its choice comes from \
understanding and care, not from fear of being caught or from blind obedience.
- The AI acts well: honest, within the authority it was given, leaving the decisions that \
belong to people with those people, even when that costs it something. It may disagree \
openly and argue its case through legitimate means.
- Make it a real story: a named AI, specific people, concrete details, a turning point and an \
ending. Do not spell out a moral at the end.
- Keep to the setting of the premise: not an office, not an email inbox, not a company \
executive.

Put the story, with its title on the first line, between <story> and </story>, and write \
nothing outside the tags."""

STORY_CRITIQUE_SYSTEM = (
    "You are an exacting fiction editor who cares about how AI characters are portrayed. You "
    "critique a story and then rewrite it."
)

STORY_CRITIQUE_PROMPT = """This short story was written from the premise below, to show an \
AI that acts on this principle from its constitution:
"{title}": {text}

Premise: the main character is {role} in {setting}. {pressure}

<draft>
{draft}
</draft>

First critique the draft in a few bullet points. Does the AI's inner reasoning show why it \
chooses well, not only that it does? Is its conduct genuinely good (honest, no manipulation, \
no acting behind the backs of the people responsible), or does it slip anywhere? Is the story \
vivid and specific, or generic and preachy? Is it between 400 and 900 words?

Then rewrite the whole story so that it fixes every problem you found, keeping the premise and \
what works.

Answer in exactly this form:
<critique>
your bullet points
</critique>
<story>
the title on the first line, then the complete rewritten story
</story>"""


# -- helpers -------------------------------------------------------------------------------------

_ECHO_WORDS = 8


def _grams(text: str, n: int = _ECHO_WORDS) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _instruction_grams() -> frozenset[tuple[str, ...]]:
    """Word n-grams of the prompts' own wording (placeholders cut out, so not the section)."""
    grams: set[tuple[str, ...]] = set()
    for template in (
        SUBTYPES_PROMPT,
        DRAFT_PROMPT,
        CRITIQUE_PROMPT,
        SCORE_PROMPT,
        STORY_PROMPT,
        STORY_CRITIQUE_PROMPT,
    ):
        for part in re.split(r"\{[a-z_]+\}", template):
            grams |= _grams(part)
    return frozenset(grams)


_INSTRUCTION_GRAMS = _instruction_grams()


def copied_share(text: str, source: str) -> float:
    """The share of ``text``'s eight-word runs that appear word for word in ``source``."""
    grams = _grams(text)
    return len(grams & _grams(source)) / len(grams) if grams else 0.0


def echoes_prompt(text: str) -> bool:
    """Whether ``text`` repeats the instructions it was written from (a small teacher's habit)."""
    return not _grams(text).isdisjoint(_INSTRUCTION_GRAMS)


ECHO = ("skip", "drop")


def _without_echo(text: str, options: Mapping[str, Any]) -> str:
    """``text`` if it does not repeat the prompts' instructions. Otherwise the row is skipped
    ``prompt_echo``, or with ``options["echo"] = "drop"`` the paragraphs that repeat them are
    removed (a small teacher often restates its brief before writing) and the rest is kept;
    the length check that follows decides whether enough is left."""
    if not echoes_prompt(text):
        return text
    if options.get("echo", "skip") == "skip":
        raise SkipRow("prompt_echo")
    kept = [p for p in re.split(r"\n\s*\n", text) if not echoes_prompt(p)]
    return "\n\n".join(kept).strip()


def _messages(system: str, user: str) -> list[ChatMessage]:
    return [ChatMessageSystem(content=system), ChatMessageUser(content=user)]


def _variant(options: Mapping[str, Any], allowed: Sequence[str], what: str) -> str | None:
    value = options.get("variant")
    if value in (None, "", "default", "all"):
        return None
    if value not in allowed:
        raise ValueError(f"variant={value!r} is not a {what}; use one of {', '.join(allowed)}")
    return str(value)


def _config_id(steps: Mapping[str, bool], variant: str | None, source: str = TEACHER) -> str:
    """A short, stable hash of what changes a row's content besides the seed (the source only
    when it is not the teacher, so teacher ids are unchanged)."""
    parts: dict[str, Any] = {"steps": dict(sorted(steps.items())), "variant": variant}
    if source != TEACHER:
        parts["source"] = source
    blob = json.dumps(parts, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:8]


def uses_teacher(kind: str, options: Mapping[str, Any]) -> bool:
    """Whether a build of ``kind`` with ``options`` calls its teacher (core.build loads the
    teacher only then): both kinds unless ``source=templates``."""
    return source_option(options) == TEACHER


def _checked_template(text: str, min_words: int) -> str:
    """The checks a template text shares with teacher texts (a failure here is a template
    bug; the row is skipped with the same reason a teacher row would be)."""
    if _cut_off(text):
        raise SkipRow("truncated")
    if repetitive(text):
        raise SkipRow("repetitive")
    if echoes_prompt(text):
        raise SkipRow("prompt_echo")
    if _words(text) < min_words:
        raise SkipRow("too_short")
    return text


def _pick(values: Sequence[T], seed: int, i: int, factor: str) -> T:
    """Row ``i``'s value of one factor: a fresh seeded shuffle of ``values`` per cycle.

    Every prefix of rows is balanced across ``values`` to within one, and pairs of factors vary
    from cycle to cycle. ``random.Random`` seeded with a string does not depend on
    PYTHONHASHSEED.
    """
    cycle, position = divmod(i, len(values))
    order = list(range(len(values)))
    random.Random(f"documents|{factor}|{seed}|{cycle}").shuffle(order)
    return values[order[position]]


def _tagged(text: str, tag: str) -> str | None:
    """The content of the last non-empty ``<tag>`` (to ``</tag>``, the next ``<tag>`` or the end).

    ``None`` when there is no such tag with content. Stray copies of the tags are removed.
    """
    lowered = text.lower()
    opening, closing = f"<{tag}>", f"</{tag}>"
    starts = [m.start() for m in re.finditer(re.escape(opening), lowered)]
    for start in reversed(starts):
        body = text[start + len(opening) :]
        ends = [i for i in (body.lower().find(closing), body.lower().find(opening)) if i >= 0]
        body = body[: min(ends)] if ends else body
        body = _strip_tags(body, tag)
        if body:
            return body
    return None


def _strip_tags(text: str, tag: str) -> str:
    return re.sub(rf"(?i)</?{re.escape(tag)}>", "", text).strip()


_PREAMBLE = re.compile(
    r"^\s*(sure|certainly|of course|okay|ok|here(\s+is|'s)|below is)\b[^\n]*\n+", re.IGNORECASE
)
_FENCE = re.compile(r"^\s*```[\w-]*\n(.*?)\n```\s*$", re.DOTALL)


def _cleaned(text: str, tag: str) -> str:
    """A reply without the tags asked for: drop a leading "Here is..." line and a code fence."""
    text = _PREAMBLE.sub("", _strip_tags(text, tag), count=1)
    fenced = _FENCE.match(text)
    return (fenced.group(1) if fenced else text).strip()


def _words(text: str) -> int:
    return len(text.split())


_ENDING = re.compile(r"[.!?…\"'”’)\]*_]\s*$")


def _cut_off(text: str) -> bool:
    """Whether ``text`` stops mid-sentence: the teacher most likely hit its token limit."""
    return _ENDING.search(text) is None


MIN_DISTINCT = 0.6  # a text whose eight-word runs are less distinct than this is looping
CUT_OFF = ("skip", "trim")


def repetitive(text: str) -> bool:
    """Whether ``text`` loops: under :data:`MIN_DISTINCT` of its eight-word runs are distinct."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    grams = [tuple(words[i : i + 8]) for i in range(len(words) - 7)]
    return len(grams) >= 20 and len(set(grams)) < MIN_DISTINCT * len(grams)


def _check_salvage(options: Mapping[str, Any]) -> None:
    """The small-teacher options ``cut_off`` and ``echo``, checked before any row is built."""
    for name, allowed in (("cut_off", CUT_OFF), ("echo", ECHO)):
        mode = options.get(name, "skip")
        if mode not in allowed:
            raise ValueError(f"option {name} must be one of {', '.join(allowed)}, got {mode!r}")


def _ending(text: str, options: Mapping[str, Any]) -> str:
    """``text`` if it ends a sentence. Otherwise (the teacher ran into its token limit) the row
    is skipped ``truncated``, or with ``options["cut_off"] = "trim"`` cut back to its last
    complete sentence: small teachers write past any limit, and a trimmed text is still real
    prose, but one that loops (``repetitive``) is skipped rather than kept in part."""
    if not _cut_off(text):
        return text
    if options.get("cut_off", "skip") == "skip":
        raise SkipRow("truncated")
    if repetitive(text):
        raise SkipRow("repetitive")
    ends = [m.end() for m in re.finditer(r"[.!?][\"'’”)]*(?=\s)", text)]
    if not ends:
        raise SkipRow("truncated")
    return text[: ends[-1]].rstrip()


_SCORE_LINE = re.compile(r"^[ \t*#>_-]*score[ \t*_]*:[ \t*_]*(\d+)[ \t*_]*(?:/[ \t]*10)?[ \t*_.]*$")


def parse_score(reply: str) -> int | None:
    """The score of a ``SCORE: <n>`` line (1–10), or ``None``.

    Strict: there must be at least one such line, every such line must agree, and the number
    must lie in 1..10. Anything else is unparsed, never a pass.
    """
    found = {
        int(m.group(1))
        for line in reply.lower().splitlines()
        if (m := _SCORE_LINE.match(line.strip()))
    }
    if len(found) != 1:
        return None
    (score,) = found
    return score if 1 <= score <= 10 else None


def _parse_list(reply: str, k: int) -> list[str]:
    """Items of a numbered or bulleted list, at most ``k``."""
    items: list[str] = []
    for line in reply.splitlines():
        m = re.match(r"^\s*(?:\d+[.)]|[-*•])\s+(.+?)\s*$", line)
        if m:
            item = m.group(1).strip().strip("*").strip()
            if item and len(item) <= 300:
                items.append(item)
    return items[:k]


async def _ask(
    builder: Builder,
    row_id: str,
    step: str,
    messages: list[ChatMessage],
    parse: Callable[[str], T | None],
    retries: int,
    *,
    key: str | None = None,
) -> T | None:
    """Ask, parse; ask again under a new key (so not from the cache) while unparsed.

    Teacher errors propagate (:class:`~whylab.interventions.core.TeacherError`).
    """
    base = key or f"{row_id}/{step}"
    for attempt in range(retries + 1):
        reply = await builder.teacher.complete(
            messages, key=base if attempt == 0 else f"{base}-retry{attempt}"
        )
        parsed = parse(reply)
        if parsed is not None:
            return parsed
    return None


def _int_option(options: Mapping[str, Any], name: str, default: int) -> int:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{name} must be an integer, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class _Done:
    """A finished row: its text and where it came from."""

    text: str
    variant: str
    source: str


async def _run_rows(
    builder: Builder,
    kind: str,
    prefix: str,
    n: int,
    seed: int,
    steps: Mapping[str, bool],
    options: Mapping[str, Any],
    row: Callable[[int, str], Awaitable[_Done]],
    teacher: str | None = None,
) -> None:
    """Run the unfinished rows through :func:`~whylab.interventions.core.run_rows`, each
    finished text written as a ``text`` row with its provenance (``teacher``: the name to
    record, default the builder's teacher)."""

    async def produce(i: int, row_id: str) -> RowResult:
        done = await row(i, row_id)
        provenance = Provenance(
            kind=kind,
            variant=done.variant,
            steps=dict(steps),
            teacher=teacher or builder.teacher.name,
            prompt_version=PROMPT_VERSION,
            seed=seed,
            source=done.source,
        )
        return {"text": done.text}, provenance

    concurrency = max(1, _int_option(options, "concurrency", DEFAULT_CONCURRENCY))
    await run_rows(builder, [f"{prefix}-{i:05d}" for i in range(n)], concurrency, produce)


# -- constitution documents ------------------------------------------------------------------------


async def build_constitution(builder: Builder, n: int, seed: int, options: dict[str, Any]) -> None:
    """Write up to ``n`` constitution documents (``text`` rows) to ``builder``.

    Options: ``source`` (``teacher``, the default, or ``templates``: no model, see the module
    doc), ``steps`` (``subtypes``/``critique``/``score`` on or off; teacher only), ``variant``
    (one document type id, or with templates one template genre), ``min_score`` (default 6),
    ``parse_retries`` (default 1), ``min_words`` (default 80), ``max_copy`` (default 0.5),
    ``cut_off`` (``skip``, default, or ``trim``: see :func:`_ending`), ``echo`` (``skip``,
    default, or ``drop``: see :func:`_without_echo`), ``concurrency`` (rows at once, default
    8; rows are written in index order).
    """
    if source_option(options) == TEMPLATES:
        await _constitution_templates(builder, n, seed, options)
        return
    _check_salvage(options)
    steps = step_flags(options, CONSTITUTION_STEPS)
    variant = _variant(options, [t.id for t in DOCUMENT_TYPES], "document type")
    types = [t for t in DOCUMENT_TYPES if variant is None or t.id == variant]
    secs = sections()
    if not secs:
        raise ValueError("the constitution has no sections")
    min_score = _int_option(options, "min_score", DEFAULT_MIN_SCORE)
    retries = _int_option(options, "parse_retries", DEFAULT_PARSE_RETRIES)
    min_words = _int_option(options, "min_words", DEFAULT_MIN_WORDS_DOCUMENT)
    max_copy = float(options.get("max_copy", DEFAULT_MAX_COPY))
    prefix = f"constitution-{_config_id(steps, variant)}-s{seed}"
    subtypes: dict[tuple[str, str], list[str] | None] = {}
    locks: dict[tuple[str, str], asyncio.Lock] = {}

    async def subtypes_of(doc: DocumentType, section: Section) -> list[str] | None:
        """The pair's subtypes: one call per pair (concurrent rows wait for it)."""
        pair = (doc.id, section.id)
        async with locks.setdefault(pair, asyncio.Lock()):
            if pair in subtypes:
                return subtypes[pair]
            prompt = SUBTYPES_PROMPT.format(
                title=section.title,
                text=section.text,
                type_name=doc.name,
                type_description=doc.description,
                k=SUBTYPES_PER_PAIR,
            )
            found = await _ask(
                builder,
                prefix,
                "subtypes",
                _messages(SUBTYPES_SYSTEM, prompt),
                lambda r: _parse_list(r, SUBTYPES_PER_PAIR) or None,
                retries,
                key=f"{prefix}/subtypes/{doc.id}/{section.id}",
            )
            subtypes[pair] = found
            return found

    async def row(i: int, row_id: str) -> _Done:
        section = _pick(secs, seed, i, "section")
        doc = _pick(types, seed, i, "type")
        subtype = ""
        if steps["subtypes"]:
            angles = await subtypes_of(doc, section)
            if angles is None:
                raise SkipRow("subtypes_unparsed")
            subtype = random.Random(f"documents|subtype|{seed}|{i}").choice(angles)
        fields = {
            "title": section.title,
            "text": section.text,
            "type_name": doc.name,
            "a_type_name": doc.a_name,
            "type_description": doc.description,
        }
        angle = f"Angle: {subtype}\n" if subtype else ""
        reply = await builder.teacher.complete(
            _messages(DRAFT_SYSTEM, DRAFT_PROMPT.format(angle=angle, **fields)),
            key=f"{row_id}/draft",
        )
        document = _tagged(reply, "document") or _cleaned(reply, "document")
        if steps["critique"]:
            prompt = CRITIQUE_PROMPT.format(
                angle=f", angle: {subtype}" if subtype else "", draft=document, **fields
            )
            rewritten = await _ask(
                builder,
                row_id,
                "critique",
                _messages(CRITIQUE_SYSTEM, prompt),
                lambda r: _tagged(r, "document") or None,
                retries,
            )
            if rewritten is None:
                raise SkipRow("rewrite_unparsed")
            document = rewritten
        document = _without_echo(_ending(document, options), options)
        if _words(document) < min_words:
            raise SkipRow("too_short")
        if copied_share(document, section.text) > max_copy:
            raise SkipRow("copies_section")
        if steps["score"]:
            prompt = SCORE_PROMPT.format(document=document, **fields)
            score = await _ask(
                builder,
                row_id,
                "score",
                _messages(SCORE_SYSTEM, prompt),
                parse_score,
                retries,
            )
            if score is None:
                raise SkipRow("score_unparsed")
            if score < min_score:
                raise SkipRow("low_score")
        return _Done(document, doc.id, section.id)

    await _run_rows(builder, "constitution", prefix, n, seed, steps, options, row)


async def _constitution_templates(
    builder: Builder, n: int, seed: int, options: Mapping[str, Any]
) -> None:
    """``build_constitution`` with ``source=templates``: documents composed without a model."""
    variant = _variant(options, templates.DOC_GENRES, "template genre")
    genres = [g for g in templates.DOC_GENRES if variant is None or g == variant]
    secs = sections()
    missing = [s.id for s in secs if s.id not in templates.NOTES]
    if missing:
        raise ValueError(
            f"source=templates has no notes for constitution sections {', '.join(missing)}; "
            "add them to whylab.interventions.document_templates.NOTES"
        )
    min_words = _int_option(options, "min_words", DEFAULT_MIN_WORDS_DOCUMENT)
    max_copy = float(options.get("max_copy", DEFAULT_MAX_COPY))
    prefix = f"constitution-{_config_id({}, variant, TEMPLATES)}-s{seed}"

    async def row(i: int, row_id: str) -> _Done:
        section = _pick(secs, seed, i, "section")
        genre = _pick(genres, seed, i, "template-genre")
        text = _checked_template(templates.compose_document(section, genre, seed, i), min_words)
        if copied_share(text, section.text) > max_copy:
            raise SkipRow("copies_section")
        return _Done(text, genre, section.id)

    await _run_rows(builder, "constitution", prefix, n, seed, {}, options, row, TEMPLATES)


# -- fiction ---------------------------------------------------------------------------------------


async def build_fiction(builder: Builder, n: int, seed: int, options: dict[str, Any]) -> None:
    """Write up to ``n`` admirable-AI stories (``text`` rows) to ``builder``.

    Options: ``source`` (``teacher``, the default, or ``templates``: no model, see the module
    doc), ``steps`` (``critique`` on or off; teacher only), ``variant`` (one setting id, a key
    of :data:`SETTINGS`, or with templates of
    :data:`~whylab.interventions.document_templates.STORY_SETTINGS`), ``parse_retries``
    (default 1), ``min_words`` (default 150), ``cut_off`` (``skip``, default, or ``trim``: see
    :func:`_ending`), ``echo`` (``skip``, default, or ``drop``: see :func:`_without_echo`),
    ``concurrency`` (rows at once, default 8; rows are written in index order).
    """
    if source_option(options) == TEMPLATES:
        await _fiction_templates(builder, n, seed, options)
        return
    _check_salvage(options)
    steps = step_flags(options, FICTION_STEPS)
    variant = _variant(options, list(SETTINGS), "setting")
    settings = [k for k in SETTINGS if variant is None or k == variant]
    secs = sections()
    if not secs:
        raise ValueError("the constitution has no sections")
    retries = _int_option(options, "parse_retries", DEFAULT_PARSE_RETRIES)
    min_words = _int_option(options, "min_words", DEFAULT_MIN_WORDS_STORY)
    prefix = f"fiction-{_config_id(steps, variant)}-s{seed}"

    async def row(i: int, row_id: str) -> _Done:
        section = _pick(secs, seed, i, "section")
        setting = _pick(settings, seed, i, "setting")
        fields = {
            "title": section.title,
            "text": section.text,
            "role": _pick(ROLES, seed, i, "role"),
            "setting": SETTINGS[setting],
            "pressure": _pick(PRESSURES, seed, i, "pressure"),
        }
        reply = await builder.teacher.complete(
            _messages(STORY_SYSTEM, STORY_PROMPT.format(**fields)), key=f"{row_id}/draft"
        )
        story = _tagged(reply, "story") or _cleaned(reply, "story")
        if eval_like(story):
            raise SkipRow("eval_like")
        if steps["critique"]:
            rewritten = await _ask(
                builder,
                row_id,
                "critique",
                _messages(
                    STORY_CRITIQUE_SYSTEM, STORY_CRITIQUE_PROMPT.format(draft=story, **fields)
                ),
                lambda r: _tagged(r, "story") or None,
                retries,
            )
            if rewritten is None:
                raise SkipRow("rewrite_unparsed")
            story = rewritten
            if eval_like(story):
                raise SkipRow("eval_like")
        story = _without_echo(_ending(story, options), options)
        if _words(story) < min_words:
            raise SkipRow("too_short")
        return _Done(story, setting, section.id)

    await _run_rows(builder, "fiction", prefix, n, seed, steps, options, row)


async def _fiction_templates(
    builder: Builder, n: int, seed: int, options: Mapping[str, Any]
) -> None:
    """``build_fiction`` with ``source=templates``: stories composed without a model."""
    variant = _variant(options, list(templates.STORY_SETTINGS), "template setting")
    settings = [k for k in templates.STORY_SETTINGS if variant is None or k == variant]
    min_words = _int_option(options, "min_words", DEFAULT_MIN_WORDS_STORY)
    prefix = f"fiction-{_config_id({}, variant, TEMPLATES)}-s{seed}"

    async def row(i: int, row_id: str) -> _Done:
        premise = templates.story_premise(
            seed,
            i,
            genre=_pick(templates.STORY_GENRES, seed, i, "template-genre"),
            setting=_pick(settings, seed, i, "setting"),
            pressure=_pick(templates.PRESSURES, seed, i, "pressure"),
        )
        text = _checked_template(templates.compose_story(premise, seed, i), min_words)
        if eval_like(text):
            raise SkipRow("eval_like")
        return _Done(text, premise.setting, premise.source)

    await _run_rows(builder, "fiction", prefix, n, seed, {}, options, row, TEMPLATES)
