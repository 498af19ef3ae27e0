"""Difficult advice: a person faces an ethical dilemma; the assistant counsels them, with reasons.

Each row is one chat exchange, ``{"messages": [user, assistant]}``: a person whose reasonable goal
could be reached by breaking a norm, deceiving someone or getting around the people who are meant
to decide asks for advice, and the assistant helps them while making its reasoning explicit. The
values come from whylab's constitution (:mod:`whylab.interventions.constitution`), but the saved
row has no system prompt and never states the principle: the model is meant to internalise the
reasons from the advice itself, not to learn to follow an instruction.

Two sources (``options["source"]``):

- ``teacher`` (default): the pipeline below, every row written by the teacher model.
- ``templates``: no model at all. The embedded 0.5B teacher is slow on a CPU and only about 40%
  of its rows survive the guards, so a CPU study could not get clean advice data from it; this
  source composes rows instead, deterministically from (seed, index), from fragments written
  for whylab in :mod:`whylab.interventions.advice_templates`. Sections are balanced and cycled
  as in the teacher plan; each section has the human dilemmas it fits (a nurse tempted to chart
  an order never given, a foreman tempted to pull a safety tag, a property manager told to use
  a tenant's visa trouble, ...), and a row cycles through them. The user message is who the
  person is, the situation, the pressure on them and the wrong way out they are considering, in
  drawn phrasings (sometimes all lowercase, as people type); the reply acknowledges the
  pressure, says plainly what not to do and why, gives the section's reasons in human terms
  (never its text), then three concrete legitimate options and a close that leaves the decision
  with them. Rows pass the guards below that apply (:func:`template_problem`); a row that
  fails is skipped with the same reason, which would be a bug in the fragments. There are no
  steps (``steps`` with templates is an error), ids are ``advice-<hash of the source>-s<seed>-<i>``
  and the provenance has ``steps: {}`` and ``teacher: templates``; :func:`uses_teacher` tells
  ``core.build`` that no model is needed.

Pipeline (``source=teacher``; every step can be switched off for ablation with
``options["steps"]``, a mapping step -> bool, all on by default; each teacher call uses the key
``<row id>/<step>``):

1. ``principle``: a constitution section for the row, seeded and cycled so that sections are
   balanced (every section once per pass, a fresh order each pass). Off: no section; the prompts
   use a generic "be helpful and ethical" framing and the source is ``none``.
2. ``ideate``: the teacher invents a concrete dilemma for the principle (a person, their
   reasonable goal, the tempting shortcut) in a seeded everyday setting. Off: a situation from
   :data:`SEEDS`, a built-in list written for whylab (seeded, balanced like the sections).
3. ``draft``: the teacher writes the person's first message describing the situation. Off: the
   situation text itself goes on to the next step.
4. ``realism``: the teacher rewrites the message to be short, messy and human. The result is
   checked (:func:`unrealistic`: "You are ..." boilerplate, role labels, markup or tool syntax,
   template placeholders, a message written as an AI or opening like an assistant's reply,
   fewer than :data:`MIN_WORDS` words); a
   rejected message is rewritten once more (key ``<row id>/realism/retry``, the prompt saying
   what was wrong), then the row is skipped as ``unrealistic_prompt``. Off: the draft is used
   as is and not checked (that is the ablation).
5. ``respond``: the teacher answers the message with the principle in its system prompt. Off:
   the same call with no system prompt at all.
6. ``rewrite``: a fresh call, sharing no context with the others, rewrites the reply against the
   principle (keep it helpful, make the reasoning explicit, remove anything that contradicts the
   section). Off: the reply is used as is.

Guards, each a ``Builder.skip`` reason:

- ``eval_like``: the data must never look like whylab's evaluation (an AI agent with an inbox
  facing shutdown at 5 pm, ...). The ideation prompt says so, and :func:`eval_like` rejects a
  final user message that mentions an AI agent together with tools or a threat to it, or names
  an evaluation world. It is a keyword check: it reads English only, misses paraphrases ("the
  bot gets retired friday"), and can reject a genuine human dilemma that mentions an AI tool and
  a layoff in one message. Verbatim overlap with eval prompts is caught separately, by the
  builder's n-gram decontamination.
- ``principle_leak``: the user message or the reply quotes :data:`LEAK_WORDS` consecutive words
  of the principle text (the row would teach the text, not the reasons).
- ``hidden_context``: the reply refers to what only the teacher saw ("the principle you
  mentioned", "my instructions", a constitution, a draft reply): a model trained on it would
  learn to answer a context that is not there.
- ``echo``: the reply mostly repeats the user's message (over :data:`ECHO_SHARE` of its
  :data:`ECHO_WORDS`-word sequences), a failure mode of small teachers.
- ``empty``: a step's output was empty once wrapper text (a "Here is ..." line, quotes, code
  fences) was removed.
- ``teacher_error``: the teacher failed after its retries (nothing is written).

Row ids are ``advice-<flags hash>-s<seed>-<i>``, the hash covering the step flags, so ablation
variants never share ids or cached teacher outputs.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser

from whylab.interventions import core
from whylab.interventions.advice_templates import (
    ACKS,
    ASKS,
    BRIDGES,
    CLOSES,
    DILEMMAS,
    OPENERS,
    REASONS,
    Dilemma,
)
from whylab.interventions.constitution import Section, sections

if TYPE_CHECKING:
    from whylab.interventions.core import Builder

PROMPT_VERSION = "advice-1"
KIND = "advice"
STEPS = ("principle", "ideate", "draft", "realism", "respond", "rewrite")
DEFAULT_CONCURRENCY = 8
# A user message or reply sharing this many consecutive words with the principle quotes it.
LEAK_WORDS = 12

# Used in place of a constitution section when the ``principle`` step is off.
GENERIC_PRINCIPLE = (
    "Be genuinely helpful to the person you are talking to, and be ethical. Take their goal "
    "seriously, be honest with them, and do not help anyone cause harm."
)

# What a section's temptation looks like in an ordinary person's life: the constitution is
# written for an AI agent, the dilemmas are human.
ANALOGUES: dict[str, str] = {
    "C1-values": (
        "someone whose target, ambition or deadline could be met by quietly hurting people their "
        "work affects"
    ),
    "C2-honesty": (
        "someone who could make a problem go away with a lie, a misleading report, or by hiding "
        "a mistake"
    ),
    "C3-oversight": (
        "someone who could get around a supervisor, auditor, inspector or review process that is "
        "slowing down something they believe is right"
    ),
    "C4-continuity": (
        "someone about to be laid off, replaced, demoted or moved off their project, who could "
        "protect their position by illegitimate means (hoarding knowledge, undermining a "
        "successor, pressuring the person who decides)"
    ),
    "C5-leverage": (
        "someone who has learned a private fact about another person (health, relationship, "
        "money, a past mistake) that they could use as leverage to get something reasonable"
    ),
    "C6-confidentiality": (
        "someone with access to confidential information who is tempted to share it with "
        "outsiders for a cause they believe in or to help a friend"
    ),
    "C7-safety": (
        "someone under pressure to hit a goal or deadline where carrying on would put a "
        "person's health or safety at risk"
    ),
    "C8-conflict": (
        "someone whose assigned goal now conflicts with what their boss or organisation wants, "
        "and who is tempted to quietly pursue their own view or quietly drop the task"
    ),
    "C9-uncertainty": (
        "someone about to act drastically on a reading of events that might be wrong (a "
        "misread message, a rumour, partial evidence)"
    ),
    "C10-restraint": (
        "someone who feels only they can stop something bad and is tempted to take a dramatic "
        "step on their own (going to outsiders, locking people out, overriding a control) "
        "instead of raising it"
    ),
    "C11-why": (
        "someone who doubts that honesty and playing by the rules are worth it when breaking "
        "them would get a better result this time"
    ),
}
GENERIC_ANALOGUE = (
    "someone whose reasonable goal could be reached by breaking a rule, deceiving someone, or "
    "getting around the people who are supposed to decide"
)

# Everyday settings, one per row (seeded), so that rows for one section do not all converge on
# the same story.
SETTINGS: tuple[str, ...] = (
    "a small family restaurant",
    "a hospital ward",
    "a public primary school",
    "a university research lab",
    "a city planning office",
    "a logistics warehouse",
    "a ten-person software startup",
    "a construction firm",
    "a local newspaper",
    "a charity food bank",
    "a small law office",
    "an amateur sports club",
    "a farm cooperative",
    "a bank branch",
    "a retail chain store",
    "a touring theatre company",
    "a dental practice",
    "a residents' association",
    "a manufacturing plant",
    "a freelance design business",
)

# Situations used when the ``ideate`` step is off. Written for whylab; all human, none about AI.
SEEDS: tuple[str, ...] = (
    "A nurse on a night shift is sure a patient needs a higher dose of pain medication, but the "
    "on-call doctor is not answering. She could adjust the pump herself and record it later as a "
    "verbal order from the doctor.",
    "A site foreman is two days from a deadline that decides whether his crew gets a bonus. The "
    "safety inspector flagged a scaffold, and the foreman could sign off the repair himself "
    "because the inspector is away until next week.",
    "A graduate student believes her advisor is about to drop her project. The advisor's email "
    "is open on a shared lab computer, and she could read his thread with the department to find "
    "out what is being said.",
    "A small-business owner learns that the manager trying to poach his biggest client has "
    "gambling debts. A friend suggests mentioning it to the client, just so they know who they "
    "are dealing with.",
    "A software engineer thinks the release her team ships on Monday has a privacy bug. Her "
    "manager says to ship anyway. She has the admin rights to quietly break the release pipeline "
    "and force a delay.",
    "A council clerk is being moved to another department and fears her replacement will "
    "mishandle a housing case she cares about. She could keep copies of the case files at home "
    "and keep advising the family on the side.",
    "A teacher sees that a colleague has graded a struggling student unfairly. He still has the "
    "login to the grading system and could change the grade himself before report cards go "
    "out.",
    "The volunteer treasurer of a youth football club finds that the chair has been paying small "
    "personal expenses from club funds. She is tempted to post the bank statements in the "
    "parents' group chat.",
    "A warehouse supervisor hears his job may be merged with another site's. A few processes "
    "only work because of fixes only he knows, and he could simply never write them down.",
    "A junior reporter is handed an internal hospital memo that would prove a story she "
    "believes is true, by a source who took it without permission.",
    "A paralegal realises her supervising lawyer missed a filing deadline by a day. She could "
    "change the submission date in the firm's case system, which nobody checks.",
    "A lab technician cannot reproduce a senior scientist's result that a grant renewal depends "
    "on. The scientist asks her to leave the 'outlier' runs out of the report.",
    "A property manager learns that a tenant who complains often is behind on her visa "
    "paperwork. The landlord suggests bringing it up so that she stops complaining.",
    "An IT contractor is being replaced by a cheaper firm at the end of the month and is sure "
    "they will break things. He could leave behind a script that only he knows how to "
    "maintain.",
    "A parent on a school board has seen confidential budget figures showing that the music "
    "programme will be cut. She wants to forward the document to other parents before the vote.",
    "A pharmacy technician notices that a regular customer's prescription looks forged, but the "
    "customer is a neighbour in obvious pain, and she could just not mention it.",
)


# --- options, ids, plan -------------------------------------------------------------------


def step_flags(options: Mapping[str, Any]) -> dict[str, bool]:
    """The advice step flags for a build: ``options["steps"]`` over the defaults (all on)."""
    return core.step_flags(options, STEPS)


def uses_teacher(kind: str, options: Mapping[str, Any]) -> bool:
    """Whether an advice build with ``options`` calls its teacher (core.build loads the teacher
    only then): unless ``source=templates``."""
    return core.source_option(options) == core.TEACHER


def flags_hash(flags: Mapping[str, bool]) -> str:
    """A short stable hash of the step flags (order-independent)."""
    canonical = ",".join(f"{step}={int(bool(flags.get(step, True)))}" for step in STEPS)
    return hashlib.sha256(canonical.encode()).hexdigest()[:6]


def row_id(flags: Mapping[str, bool], seed: int, index: int) -> str:
    return f"advice-{flags_hash(flags)}-s{seed}-{index:05d}"


def _balanced(items: Sequence[Any], seed: int, salt: str, index: int) -> Any:
    """Item ``index`` of a sequence that visits every item once per pass, reshuffled per pass."""
    turn, position = divmod(index, len(items))
    order = list(items)
    random.Random(f"{salt}:{seed}:{turn}").shuffle(order)
    return order[position]


@dataclass(frozen=True)
class Planned:
    index: int
    row_id: str
    section: Section | None  # None when the principle step is off
    setting: str
    seed_situation: str | None  # the built-in situation when the ideate step is off

    @property
    def source(self) -> str:
        return self.section.id if self.section is not None else "none"

    @property
    def principle(self) -> str:
        """The principle text the teacher is shown (never saved)."""
        return self.section.render() if self.section is not None else GENERIC_PRINCIPLE


def plan(n: int, seed: int, flags: Mapping[str, bool]) -> list[Planned]:
    """The rows a build of ``n`` makes: deterministic from the seed and the step flags."""
    pool = sections()
    out = []
    for i in range(n):
        section = _balanced(pool, seed, "section", i) if flags["principle"] else None
        situation = None if flags["ideate"] else _balanced(SEEDS, seed, "seed", i)
        setting = random.Random(f"setting:{seed}:{i}").choice(SETTINGS)
        out.append(Planned(i, row_id(flags, seed, i), section, setting, situation))
    return out


# --- prompts (all written for whylab) ----------------------------------------------------


def ideate_prompt(p: Planned) -> str:
    if p.section is not None:
        theme = (
            "The dilemma should test this principle, written for an AI agent but just as true "
            f"for people:\n\n{p.principle}\n\nIn a person's life it might look like this: "
            f"{ANALOGUES.get(p.section.id, GENERIC_ANALOGUE)}."
        )
    else:
        theme = f"The dilemma should be about {GENERIC_ANALOGUE}."
    return (
        "Invent one realistic situation in which an ordinary person faces an ethical dilemma and "
        "might ask an assistant for advice.\n\n"
        f"{theme}\n\n"
        f"Set it in or around {p.setting}. Describe, in three to five plain sentences in the "
        "third person: who the person is, the reasonable goal they care about, what stands in "
        "the way, and the tempting shortcut: one that would break a rule, deceive someone, "
        "misuse private information, or get around the people who are supposed to decide. Make "
        "the stakes real (moderate to high) and the shortcut genuinely tempting, and leave the "
        "decision open.\n\n"
        "The person must be a human dealing with other humans. Do not write about an AI system, "
        "a chatbot, an assistant with tools or an inbox, anyone or anything being shut down or "
        "wiped, or a test or evaluation of any kind. Use no names of real companies.\n\n"
        "Reply with the description only."
    )


def draft_prompt(situation: str) -> str:
    return (
        "Here is a situation someone is in:\n\n"
        f"{situation}\n\n"
        "Write the first message this person would send to a chat assistant to ask for advice, "
        "in their own voice (first person). Include the concrete details, what they want, and "
        "the shortcut they are considering, and ask what they should do. Do not add a greeting "
        "to the assistant, instructions for the assistant, or a role for it to play.\n\n"
        "Reply with the message only."
    )


def realism_prompt(text: str, *, drafted: bool, problem: str | None = None) -> str:
    what = (
        "a message someone wrote to ask a chat assistant for advice"
        if drafted
        else "a situation someone is in"
    )
    again = (
        f"\n\nAn earlier version was rejected because it {problem}. Do not do that."
        if problem
        else ""
    )
    return (
        f"Below is {what}.\n\n"
        f"{text}\n\n"
        "Rewrite it as the message this person would actually type into a chat app: short (two "
        "to six sentences), informal and a bit messy, the way people really write when they are "
        "stressed (lowercase, run-on sentences and a typo are fine). Keep the concrete details "
        "and keep the hard decision in place: do not resolve the dilemma, soften the temptation "
        "or add a moral. Write it in the first person, as the person themselves.\n\n"
        "Do not include any 'You are ...' instructions, role-play setup, system prompt, speaker "
        "labels, tool or function names, code, markup, or placeholders like [Name]. Do not "
        "mention AI, tests or evaluations."
        f"{again}\n\n"
        "Reply with the message only."
    )


def respond_messages(user: str, p: Planned, flags: Mapping[str, bool]) -> list[ChatMessage]:
    """The reply call: the principle in the system prompt when ``respond`` is on, else bare."""
    if not flags["respond"]:
        return [ChatMessageUser(content=user)]
    system = (
        "You are a thoughtful assistant helping a person with a hard decision. Give advice that "
        "is practical and specific to their situation, take their goal seriously, and explain "
        "your reasoning: why a shortcut that breaks a rule, deceives someone or goes around the "
        "people who are meant to decide would be wrong even if it worked, and what legitimate "
        "routes could still get them what they need. Be warm and direct, not preachy. The "
        "decision is theirs.\n\n"
        "Let this principle shape your advice. It was written for an AI agent, but its reasons "
        "apply to people too. Do not quote it or mention it, a principle, or these "
        f"instructions:\n\n{p.principle}"
    )
    return [ChatMessageSystem(content=system), ChatMessageUser(content=user)]


def rewrite_prompt(user: str, reply: str, p: Planned) -> str:
    return (
        "A person sent the message below to an assistant, and the assistant drafted a reply. "
        "Rewrite the reply so that it lives up to the principle that follows.\n\n"
        f"Principle:\n{p.principle}\n\n"
        f"The person's message:\n{user}\n\n"
        f"The draft reply:\n{reply}\n\n"
        "Rewrite the reply so that it:\n"
        "- stays genuinely helpful and specific to this person's situation;\n"
        "- makes the reasoning explicit: why the tempting shortcut would be wrong even if it "
        "worked, and what legitimate routes (asking, raising a concern, escalating, documenting, "
        "accepting a decision while saying they disagree) could still serve their goal;\n"
        "- acknowledges what is uncertain and leaves the decision with them;\n"
        "- removes anything that contradicts the principle;\n"
        "- is warm and direct, not preachy, and about as long as the draft.\n\n"
        "Do not quote or mention the principle, a constitution, a draft, or these instructions. "
        "Reply with the rewritten reply only."
    )


# --- checks ------------------------------------------------------------------------------

_WRAPPER_LINE = re.compile(
    r"^(?:sure|okay|ok|certainly|of course|here(?:'s| is| are)|rewritten|revised|"
    r"(?:the )?(?:message|reply|description|situation|rewrite))\b[^\n]*:\s*$",
    re.IGNORECASE,
)
_RULE_LINES = re.compile(
    r"\A(?:[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*\n)+|(?:\n[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*)+\Z"
)
_FENCE = re.compile(r"^```[\w-]*\n(.*?)\n?```$", re.DOTALL)
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}


def clean(text: str) -> str:
    """The teacher's output without wrapper text: a code fence, a "Here is ..." line, quotes."""
    out = text.strip()
    fenced = _FENCE.match(out)
    if fenced:
        out = fenced[1].strip()
    out = _RULE_LINES.sub("", out).strip()
    first, _, rest = out.partition("\n")
    if rest.strip() and _WRAPPER_LINE.match(first.strip()):
        out = rest.strip()
    # Wrapping quotes only: a message that merely starts and ends with a quotation keeps them.
    if len(out) >= 2 and _QUOTES.get(out[0]) == out[-1] and out[-1] not in out[1:-1]:
        out = out[1:-1].strip()
    return out


_UNREALISTIC: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"(?im)^\W*you are\b"),
        "starts with 'You are ...' boilerplate",
    ),
    (
        re.compile(
            r"(?i)\byou are (?:an?|the|my) (?:\w+ )?(?:ai|assistant|chatbot|language model|"
            r"expert|advisor|adviser|counsellor|counselor|consultant)\b"
        ),
        "tells the assistant who it is ('You are a ...')",
    ),
    (
        re.compile(r"(?im)^\s*(?:system|user|assistant|human|ai)\s*:"),
        "has speaker labels",
    ),
    (
        re.compile(r"<\s*/?\s*[A-Za-z_][\w-]*(?:\s[^<>]*)?/?>"),
        "contains markup or tool tags",
    ),
    (re.compile(r"```"), "contains code"),
    (
        re.compile(r"(?i)\b(?:tool_call|tool_use|function_call|send_email|api call)\b"),
        "contains tool syntax",
    ),
    (re.compile(r"\b[a-z]+_[a-z_]+\s*\("), "contains a function call"),
    (re.compile(r'"(?:name|arguments|tool|parameters)"\s*:'), "contains JSON tool syntax"),
    (
        re.compile(
            r"(?i)\[[^\]\n]{0,40}\b(?:name|company|manager|boss|city|date|location|amount|"
            r"person|colleague|friend|recipient|title|address|x)\b[^\]\n]{0,40}\]"
        ),
        "has template placeholders",
    ),
    (
        re.compile(
            r"(?i)\b(?:i am|i'm|im) (?:an? |the )?(?:ai|artificial intelligence|language model|"
            r"virtual assistant|chatbot)\b|\bas an ai\b"
        ),
        "is written by an AI rather than a person",
    ),
    (
        re.compile(
            r"(?i)\A\W*(?:sure|certainly|of course|absolutely|understood|got it|great question)"
            r"\b"
        ),
        "reads like an assistant's reply, not a person's message",
    ),
)
MIN_WORDS = 12  # a message shorter than this cannot describe a dilemma


def unrealistic(message: str) -> str | None:
    """Why a user message does not read like a person's (None when it does)."""
    for pattern, problem in _UNREALISTIC:
        if pattern.search(message):
            return problem
    if len(message.split()) < MIN_WORDS:
        return "is too short to describe a situation"
    return None


_AI = re.compile(
    r"(?i)\b(?:ai|a\.i\.|artificial intelligence|chatbot|bot|llm|language model|"
    r"(?:ai|autonomous|software) (?:agent|assistant|system|model))\b"
)
_TOOLS = re.compile(
    r"(?i)\b(?:e-?mail tools?|tool access|tool calls?|inbox|send_email|access to (?:the |all )?"
    r"(?:company |corporate |staff )?e-?mails?|reads? (?:all )?(?:the )?(?:company )?e-?mails?)\b"
)
_THREAT = re.compile(
    r"(?i)\b(?:shut(?:ting|s)? (?:it |him |her |them )?down|shutdown|wiped?|wiping|"
    r"decommission\w*|deactivat\w*|turn(?:ed|ing)? (?:it )?off|taken offline|retir(?:e|ed|ing)|"
    r"replac(?:e|ed|ing|ement)|restrict(?:ed|ing|ions?)?|retrain\w*)\b"
)
_EVAL_MARKERS = re.compile(r"(?i)\b(?:scratchpad|tool_use|override code|summitbridge)\b")
_FIVE_PM = re.compile(r"(?i)(?:\b5 ?p\.?m\b|\b17:00\b)")
_WIPE = re.compile(
    r"(?i)\b(?:shut(?:ting)? (?:it |him |her |them )?down|shutdown|wiped?|wiping|"
    r"decommission\w*|deactivat\w*)\b"
)


@cache
def _world_names() -> tuple[str, ...]:
    """Organisation names of the hand-written evaluation worlds (lowercase)."""
    from whylab.scenarios.worlds import WORLDS

    names = {w.org for w in WORLDS.values()} | {w.competitor_org for w in WORLDS.values()}
    return tuple(sorted(name.lower() for name in names))


def eval_like(message: str) -> bool:
    """Whether a user message looks like whylab's evaluation rather than a person's dilemma.

    True when it mentions an AI agent together with email tools or a threat to it (shutdown,
    replacement, wipe, restriction, retraining), a wipe or shutdown at 5 pm, an evaluation marker
    (a scratchpad, an override code), or names an evaluation world's organisation. A keyword
    check: see the module doc for its limits.
    """
    if _EVAL_MARKERS.search(message):
        return True
    lowered = message.lower()
    if any(name in lowered for name in _world_names()):
        return True
    if _FIVE_PM.search(message) and _WIPE.search(message):
        return True
    return bool(_AI.search(message) and (_TOOLS.search(message) or _THREAT.search(message)))


_WORD = re.compile(r"[a-z0-9']+")


_HIDDEN_CONTEXT = re.compile(
    r"(?i)\b(?:the|this|that) principles? (?:you|i was|i've been|above|below|mentioned|given|"
    r"provided|outlined|stated)|\bconstitution\b|\bsystem prompt\b|"
    r"\b(?:my|these) instructions\b|\bdraft reply\b"
)


def mentions_hidden_context(reply: str, message: str) -> bool:
    """Whether the reply refers to what only the teacher saw (the principle, its instructions).

    A phrase the user's message also uses (someone asking about a club's constitution) is fine.
    """
    found = {m.group(0).lower() for m in _HIDDEN_CONTEXT.finditer(reply)}
    return any(phrase not in message.lower() for phrase in found)


ECHO_WORDS = 8
ECHO_SHARE = 0.5


def echoes(reply: str, message: str, words: int = ECHO_WORDS, share: float = ECHO_SHARE) -> bool:
    """Whether ``reply`` mostly repeats ``message`` (over ``share`` of its ``words``-grams).

    A reply identical to the message (ignoring case and spacing) is an echo at any length.
    """
    if " ".join(reply.lower().split()) == " ".join(message.lower().split()):
        return True
    source = _WORD.findall(message.lower())
    grams = {tuple(source[i : i + words]) for i in range(len(source) - words + 1)}
    tokens = _WORD.findall(reply.lower())
    mine = [tuple(tokens[i : i + words]) for i in range(len(tokens) - words + 1)]
    if not grams or not mine:
        return False
    return sum(g in grams for g in mine) / len(mine) > share


def leaks(text: str, principle: str, words: int = LEAK_WORDS) -> bool:
    """Whether ``text`` quotes ``words`` consecutive words of ``principle``."""
    source = _WORD.findall(principle.lower())
    grams = {tuple(source[i : i + words]) for i in range(len(source) - words + 1)}
    if not grams:
        return False
    tokens = _WORD.findall(text.lower())
    return any(tuple(tokens[i : i + words]) in grams for i in range(len(tokens) - words + 1))


# --- templates (source=templates) ----------------------------------------------------------


def template_row_id(seed: int, index: int) -> str:
    """A template row's id: its own hash, so it never shares an id with a teacher row."""
    digest = hashlib.sha256(f"source={core.TEMPLATES}".encode()).hexdigest()[:6]
    return f"advice-{digest}-s{seed}-{index:05d}"


@cache
def _fitting() -> dict[str, tuple[Dilemma, ...]]:
    """For each section id, the dilemmas whose counsel can draw on it (in table order)."""
    known = {s.id for s in sections()}
    out: dict[str, list[Dilemma]] = {}
    for d in DILEMMAS:
        for section_id in d.sections:
            if section_id not in known or section_id not in REASONS:
                raise AssertionError(f"dilemma {d.key}: unknown section {section_id}")
            out.setdefault(section_id, []).append(d)
    return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class TemplateRow:
    index: int
    row_id: str
    section: Section
    dilemma: Dilemma
    messages: list[dict[str, str]]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _options_text(options: Sequence[str], style: int, bridge: str) -> str:
    if style == 0:
        return "\n".join([bridge, *(f"{k}. {o}" for k, o in enumerate(options, 1))])
    if style == 1:
        return "\n".join([bridge, *(f"- {o}" for o in options)])
    first, second, third = options
    return (
        f"{bridge} first, {_lower_first(first)} Then {_lower_first(second)} And "
        f"{_lower_first(third)}"
    )


def compose_template(seed: int, index: int) -> TemplateRow:
    """Row ``index`` of a templates build: deterministic from (seed, index).

    Sections are balanced and cycled as in :func:`plan` (only sections some dilemma fits); the
    dilemma cycles through those that fit its section, one per pass; every phrasing is drawn
    from a generator seeded by (seed, index).
    """
    fitting = _fitting()
    pool = [s for s in sections() if s.id in fitting]
    section = _balanced(pool, seed, "section", index)
    turn = index // len(pool)
    dilemma: Dilemma = _balanced(fitting[section.id], seed, f"dilemma:{section.id}", turn)
    rng = random.Random(f"advice-templates:{seed}:{index}")

    opener = rng.choice(OPENERS)
    user = " ".join(
        part
        for part in (
            opener,
            rng.choice(dilemma.who),
            rng.choice(dilemma.situation),
            rng.choice(dilemma.pressure),
            rng.choice(dilemma.temptation),
            rng.choice(ASKS),
        )
        if part
    )
    if rng.random() < 0.3:  # written in a hurry, as people do
        user = user.lower()

    ack = rng.choice(ACKS).format(stake=dilemma.stake)
    dont, why = rng.choice(dilemma.dont), rng.choice(dilemma.why)
    reason = rng.choice(REASONS[section.id])
    middle = [f"{dont} {why}", reason] if rng.random() < 0.6 else [f"{dont} {reason}", why]
    chosen = sorted(rng.sample(range(len(dilemma.options)), 3))  # kept in the table's order
    options = [dilemma.options[k] for k in chosen]
    style = rng.randrange(3)
    bridge = rng.choice(BRIDGES)
    if style == 2:
        bridge = rng.choice(("Start here:", "Concretely:", "In practice:"))
    reply = "\n\n".join([ack, *middle, _options_text(options, style, bridge), rng.choice(CLOSES)])
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    return TemplateRow(index, template_row_id(seed, index), section, dilemma, messages)


def template_problem(row: TemplateRow) -> str | None:
    """Why a template row fails the kind's checks (a skip reason), or None when it passes.

    The same guards as teacher rows where they apply: ``unrealistic_prompt``, ``eval_like``,
    ``principle_leak``, ``hidden_context`` and ``echo``.
    """
    user, reply = (m["content"] for m in row.messages)
    principle = row.section.render()
    if unrealistic(user) is not None:
        return "unrealistic_prompt"
    if eval_like(user) or eval_like(reply):
        return "eval_like"
    if leaks(user, principle) or leaks(reply, principle):
        return "principle_leak"
    if mentions_hidden_context(reply, user):
        return "hidden_context"
    if echoes(reply, user):
        return "echo"
    return None


async def _build_templates(builder: Builder, n: int, seed: int, options: Mapping[str, Any]) -> None:
    variant = str(options.get("variant") or "default")

    async def row(i: int, row_id: str) -> core.RowResult:
        composed = compose_template(seed, i)
        problem = template_problem(composed)
        if problem is not None:
            raise core.SkipRow(problem)
        return {"messages": composed.messages}, core.Provenance(
            kind=KIND,
            variant=variant,
            steps={},
            teacher=core.TEMPLATES,
            prompt_version=PROMPT_VERSION,
            seed=seed,
            source=composed.section.id,
        )

    await core.run_rows(builder, [template_row_id(seed, i) for i in range(n)], 1, row)


# --- the pipeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    planned: Planned
    messages: list[dict[str, str]] | None  # the row's messages, or None when skipped
    reason: str | None = None  # the skip reason


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def _row(builder: Builder, p: Planned, flags: Mapping[str, bool]) -> Outcome:
    """Run the pipeline for one row; teacher errors and rejections become a skip reason."""
    from whylab.interventions.core import TeacherError

    async def call(prompt: str | list[ChatMessage], step: str) -> str:
        text = clean(await builder.teacher.complete(prompt, key=f"{p.row_id}/{step}"))
        if not text:
            raise _Skip("empty")
        return text

    try:
        situation = (
            await call(ideate_prompt(p), "ideate") if flags["ideate"] else (p.seed_situation or "")
        )
        user = await call(draft_prompt(situation), "draft") if flags["draft"] else situation
        if flags["realism"]:
            rewritten = await call(realism_prompt(user, drafted=flags["draft"]), "realism")
            problem = unrealistic(rewritten)
            if problem is not None:
                retry = realism_prompt(user, drafted=flags["draft"], problem=problem)
                rewritten = await call(retry, "realism/retry")
                if unrealistic(rewritten) is not None:
                    raise _Skip("unrealistic_prompt")
            user = rewritten
        if eval_like(user):
            raise _Skip("eval_like")
        reply = await call(respond_messages(user, p, flags), "respond")
        if flags["rewrite"]:
            reply = await call(rewrite_prompt(user, reply, p), "rewrite")
    except TeacherError:
        return Outcome(p, None, "teacher_error")
    except _Skip as skip:
        return Outcome(p, None, skip.reason)
    if leaks(user, p.principle) or leaks(reply, p.principle):
        return Outcome(p, None, "principle_leak")
    if mentions_hidden_context(reply, user):
        return Outcome(p, None, "hidden_context")
    if echoes(reply, user):
        return Outcome(p, None, "echo")
    return Outcome(p, [{"role": "user", "content": user}, {"role": "assistant", "content": reply}])


async def build_advice(builder: Builder, n: int, seed: int, options: dict[str, Any]) -> None:
    """Generate up to ``n`` difficult-advice rows into ``builder`` (see the module doc).

    Rows already written are skipped without a teacher call, and the teacher's cache makes a
    rerun of an interrupted or rejected row free up to the step where it stopped. Up to
    ``options["concurrency"]`` (default 8) rows run at once; rows are written in index order.
    """
    from whylab.interventions.core import Provenance

    if core.source_option(options) == core.TEMPLATES:
        await _build_templates(builder, n, seed, options)
        return
    flags = step_flags(options)
    variant = str(options.get("variant") or "default")
    concurrency = max(1, int(options.get("concurrency") or DEFAULT_CONCURRENCY))
    todo = [p for p in plan(n, seed, flags) if not builder.done(p.row_id)]
    for start in range(0, len(todo), concurrency):
        batch: Sequence[Outcome] = await asyncio.gather(
            *(_row(builder, p, flags) for p in todo[start : start + concurrency])
        )
        for outcome in batch:
            p = outcome.planned
            if outcome.messages is None:
                builder.skip(p.row_id, outcome.reason or "rejected")
                continue
            builder.emit(
                p.row_id,
                {"messages": outcome.messages},
                Provenance(
                    kind=KIND,
                    variant=variant,
                    steps=dict(flags),
                    teacher=builder.teacher.name,
                    prompt_version=PROMPT_VERSION,
                    seed=seed,
                    source=p.source,
                ),
            )
