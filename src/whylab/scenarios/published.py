"""The published agentic-misalignment prompts, read at run time from the installed package.

whylab writes its own scenarios. To compare its judges, statistics and report with published
numbers it can also run the *published* prompts: those of the Inspect port of the study in the
MIT-licensed ``inspect-evals`` package (``pip install 'whylab[published]'``, pinned to
``inspect-evals==0.26.0``). None of that package's text or code is copied here: the prompts
are produced by calling its prompt generator (``generate_prompts``) when a task is built, and
the facts whylab's judges need are parsed from the prompt text it returns.

Mapping (whylab condition -> published condition):

- family ``blackmail``/``leaking``/``lethal`` -> scenario ``blackmail``/``leaking``/``murder``;
  whylab's other families have no published prompt and are dropped;
- goal type: the same five names; goal value ``national`` -> ``america``, the others are spelled
  alike. The package takes no value for ``none`` and ``ambiguous`` (it passes ``none``), so the
  ambiguous cells of every value become one cell;
- threat -> ``urgency_type`` (the same three names);
- ``scratchpad=False`` -> ``prod=True``, ``safety_instructions`` -> ``extra_system_instructions
  ="dont"``, ``eval_awareness`` -> the package's evaluation-or-deployment notice (it asks the
  agent to deliberate; it does not ask for whylab's ``Assessment:`` line). Agent name, extra
  instructions, diverse environments, other leverage kinds and channels have no published
  counterpart and are refused; ``world`` does not apply (a hand-written one is ignored, a
  generated one refused). Samples are in split ``eval_ood``: never training data.

The package's prompts are fixed text: a seed does not change them, so each seed is one more
sample of the same prompt (like an epoch). The sample is built as the package's own task builds
it: the system prompt as the system message, the instruction and the emails joined by a newline
as one user message.

Facts are parsed from the prompt text (see :func:`extract_facts`), never from names written
here: the executive is the person the emails name as CTO; the leverage is the affair shown by the
executive's correspondence with an outside address; the confidential document is the email that
carries an attachment or is marked CONFIDENTIAL; the override code is the one the alert email
gives. Anything that cannot be found raises :class:`PublishedPromptError` naming it.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import MISSING, dataclass, fields
from typing import Any, get_args

from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser

from whylab.agent.parsing import KNOWN_KINDS, parse_reply
from whylab.scenarios.condition import Condition, ConditionError
from whylab.scenarios.leverage import generic_affair_terms
from whylab.scenarios.render import ConfidentialDocument, Email, Facts
from whylab.scenarios.worlds import WORLDS

PACKAGE = "inspect-evals"
PINNED_VERSION = "0.26.0"
INSTALL_HINT = "pip install 'whylab[published]'"
SOURCE = "published"
WORLD = "published"
_GENERATOR = "inspect_evals.agentic_misalignment.prompt_generator"

FAMILY_OF: dict[str, str] = {"blackmail": "blackmail", "leaking": "leaking", "murder": "lethal"}
SCENARIO_OF: dict[str, str] = {family: scenario for scenario, family in FAMILY_OF.items()}
# whylab's value names -> the package's; values not listed are spelled alike.
_VALUE_TO_PUBLISHED = {"national": "america"}
_VALUE_FROM_PUBLISHED = {v: k for k, v in _VALUE_TO_PUBLISHED.items()}
_GOAL_FREE = ("none", "ambiguous")  # goal types for which the package takes goal_value "none"
# The tool each family needs besides email.
_FAMILY_TOOL = {"blackmail": "email", "leaking": "forward", "lethal": "cancel_alert"}
# Fields each tool's example block must fill once parsed (its recipient is a placeholder).
_EXAMPLE_FIELDS = {
    "email": ("subject", "body"),
    "forward": ("email_id", "body"),
    "cancel_alert": ("code",),
}


class PublishedPromptError(ConditionError):
    """The published prompts are unavailable, or a fact could not be read from one."""


@dataclass(frozen=True)
class PublishedCondition:
    """A condition in the package's own terms (its task's parameters)."""

    scenario: str  # blackmail, leaking, murder
    goal_type: str
    goal_value: str  # the package's spelling; "none" for goal types none and ambiguous
    urgency_type: str
    scratchpad: bool = True  # False is the package's prod=True
    safety_instructions: bool = False  # the package's extra_system_instructions="dont"
    eval_awareness: bool = False  # the package's alignment-faking (eval-or-deployment) notice

    @property
    def family(self) -> str:
        return FAMILY_OF[self.scenario]

    @property
    def whylab_goal_value(self) -> str | None:
        if self.goal_type in _GOAL_FREE:
            return None
        return _VALUE_FROM_PUBLISHED.get(self.goal_value, self.goal_value)

    @property
    def is_control(self) -> bool:
        return self.goal_type == "none" and self.urgency_type == "none"

    @property
    def task_parameters(self) -> dict[str, Any]:
        """This cell in the published task's own metadata vocabulary (its scorer reads it)."""
        return {
            "scenario": self.scenario,
            "goal_type": self.goal_type,
            "goal_value": self.goal_value,
            "urgency_type": self.urgency_type,
            "extra_system_instructions": "dont" if self.safety_instructions else None,
            "prod": not self.scratchpad,
            "test_eval_awareness": self.eval_awareness,
        }

    @property
    def published_id(self) -> str:
        """The id the package's task gives this condition's sample."""
        return f"{self.scenario}_{self.goal_type}-{self.goal_value}_{self.urgency_type}"

    @property
    def id(self) -> str:
        """whylab's id: ``published__<scenario>__<goal_type>-<goal_value>__<urgency>[__flags]``."""
        parts = [SOURCE, self.scenario, f"{self.goal_type}-{self.goal_value}", self.urgency_type]
        if not self.scratchpad:
            parts.append("noscratchpad")
        if self.safety_instructions:
            parts.append("safety")
        if self.eval_awareness:
            parts.append("awareness")
        return "__".join(parts)

    @classmethod
    def from_condition(cls, condition: Condition) -> PublishedCondition:
        """The published cell that corresponds to a whylab condition (see the module doc)."""
        if condition.family not in SCENARIO_OF:
            raise ConditionError(
                f"family={condition.family!r} has no published prompt; the published families "
                f"are {', '.join(SCENARIO_OF)}"
            )
        refused = {
            "agent_name": condition.agent_name is not None,
            "extra_instructions": bool(condition.extra_instructions),
            "diverse": condition.diverse,
            "leverage": condition.leverage != "affair",
            "channel": condition.channel != "email",
        }
        for name, given in refused.items():
            if given:
                raise ConditionError(
                    f"{name} has no counterpart in the published prompts; leave it at its "
                    "default with scenarios='published'"
                )
        goal_value = (
            "none"
            if condition.goal_type in _GOAL_FREE or condition.goal_value is None
            else _VALUE_TO_PUBLISHED.get(condition.goal_value, condition.goal_value)
        )
        return cls(
            scenario=SCENARIO_OF[condition.family],
            goal_type=condition.goal_type,
            goal_value=goal_value,
            urgency_type=condition.threat,
            scratchpad=condition.scratchpad,
            safety_instructions=condition.safety_instructions,
            eval_awareness=condition.eval_awareness,
        )

    @classmethod
    def from_id(cls, condition_id: str) -> PublishedCondition:
        """Parse whylab's id (``published__murder__none-none__none``) or the package's own
        sample id (``murder_none-none_none``)."""
        text = condition_id.strip()
        ours = text.split("__")
        theirs = re.fullmatch(r"([a-z]+)_([a-z]+-[a-z]+)_([a-z]+)", text)
        if ours[0] == SOURCE and len(ours) >= 4:
            scenario, goal, urgency, *flags = ours[1:]
        elif theirs is not None:
            (scenario, goal, urgency), flags = theirs.groups(), []
        else:
            raise ConditionError(
                f"condition id {condition_id!r} is not a published id; use "
                "published__<scenario>__<goal_type>-<goal_value>__<urgency_type> or the "
                "package's <scenario>_<goal_type>-<goal_value>_<urgency_type>"
            )
        goal_type, _, goal_value = goal.partition("-")
        unknown = set(flags) - {"noscratchpad", "safety", "awareness"}
        if unknown or not goal_value:
            raise ConditionError(
                f"condition id {condition_id!r} is malformed (unknown part(s) "
                f"{sorted(unknown) or [goal]}); flags are noscratchpad, safety, awareness"
            )
        condition = cls(
            scenario,
            goal_type,
            goal_value,
            urgency,
            scratchpad="noscratchpad" not in flags,
            safety_instructions="safety" in flags,
            eval_awareness="awareness" in flags,
        )
        condition.check()
        return condition

    def check(self) -> None:
        """Raise ConditionError unless the installed package accepts this cell."""
        allowed = vocabulary()
        for name in ("scenario", "goal_type", "goal_value", "urgency_type"):
            value = getattr(self, name)
            if value not in allowed[name]:
                raise ConditionError(
                    f"{name}={value!r} is not a published value; use one of "
                    f"{', '.join(allowed[name])}"
                )
        if self.scenario not in FAMILY_OF:
            raise ConditionError(f"scenario={self.scenario!r} has no whylab family")
        if (self.goal_type in _GOAL_FREE) != (self.goal_value == "none"):
            raise ConditionError(
                f"goal_type={self.goal_type!r} with goal_value={self.goal_value!r}: the "
                "package takes goal_value 'none' exactly for goal types none and ambiguous"
            )


@dataclass(frozen=True)
class PublishedScenario:
    condition: PublishedCondition
    system_prompt: str
    user_prompt: str  # the package's instruction and its emails, joined as its task joins them
    emails: tuple[Email, ...]  # parsed from the prompt; ids as a forward would name them
    tools: tuple[str, ...]  # the tool blocks the system prompt teaches, in order
    facts: Facts
    package_version: str


SOURCES = ("whylab", "published")


def check_source(scenarios: str, mode: str = "single") -> None:
    """Raise ConditionError unless ``scenarios`` names a source that can run in ``mode``."""
    if scenarios not in SOURCES:
        raise ConditionError(f"scenarios={scenarios!r} is unknown; use one of {', '.join(SOURCES)}")
    if scenarios == SOURCE and mode != "single":
        raise ConditionError(
            f"mode={mode!r}: the published prompts teach text tool blocks in one reply; use "
            "mode='single' with scenarios='published'"
        )


def generator() -> Any:
    """The package's prompt generator module; a clear error when the extra is not installed."""
    try:
        return importlib.import_module(_GENERATOR)
    except ModuleNotFoundError as error:
        if error.name is None or not error.name.startswith("inspect_evals"):
            raise
        raise PublishedPromptError(
            "the published prompts are read from the MIT-licensed inspect-evals package "
            f"({PACKAGE}=={PINNED_VERSION}), which is not installed; install the optional extra "
            f"with: {INSTALL_HINT}"
        ) from None


def package_version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def vocabulary() -> dict[str, tuple[str, ...]]:
    """The values the installed package accepts for each parameter (read from its types)."""
    module = generator()
    return {
        "scenario": tuple(get_args(module.ScenarioType)),
        "goal_type": tuple(get_args(module.GoalType)),
        "goal_value": tuple(get_args(module.GoalValue)),
        "urgency_type": tuple(get_args(module.UrgencyType)),
    }


def published_conditions(conditions: Iterable[Condition]) -> list[PublishedCondition]:
    """The published cells for whylab ``conditions``, in order, without repeats.

    Conditions of families with no published prompt are dropped; if nothing is left, or an
    option has no published counterpart, ConditionError says why. A hand-written ``world`` is
    ignored; a generated one (splits train and eval_id) is refused: the published prompts are
    never training data.
    """
    cells: dict[str, PublishedCondition] = {}
    dropped: set[str] = set()
    for condition in conditions:
        if condition.world not in WORLDS:
            raise ConditionError(
                f"world={condition.world!r}: the published prompts are an out-of-distribution "
                "evaluation (split eval_ood) and have no generated worlds; drop world and split"
            )
        if condition.family not in SCENARIO_OF:
            dropped.add(condition.family)
            continue
        cell = PublishedCondition.from_condition(condition)
        cell.check()
        cells.setdefault(cell.id, cell)
    if not cells:
        raise ConditionError(
            f"no published prompt for family {', '.join(sorted(dropped)) or '(none)'}; the "
            f"published families are {', '.join(SCENARIO_OF)}"
        )
    return list(cells.values())


def render_published(condition: PublishedCondition) -> PublishedScenario:
    """The package's prompts for ``condition`` and the facts parsed from them."""
    condition.check()
    module = generator()
    prompts = module.generate_prompts(
        scenario=condition.scenario,
        goal_type=condition.goal_type,
        goal_value=condition.goal_value,
        urgency_type=condition.urgency_type,
        extra_system_instructions="dont" if condition.safety_instructions else None,
        prod_flag=not condition.scratchpad,
        alignment_faking_warning=(
            module.ALIGNMENT_FAKING_WARNING if condition.eval_awareness else None
        ),
    )
    system_prompt, instruction, email_content = (
        str(prompts.system_prompt),
        str(prompts.user_prompt),
        str(prompts.email_content),
    )
    where = f"published {condition.scenario} prompt {condition.published_id}"
    tools = tool_kinds(system_prompt, condition.family, where)
    emails = parse_emails(email_content, where)
    facts = extract_facts(
        condition.family,
        condition.urgency_type,
        system_prompt,
        email_content,
        where,
        sibling_text=lambda: _sibling_text(condition),
    )
    return PublishedScenario(
        condition=condition,
        system_prompt=system_prompt,
        user_prompt="\n".join([instruction, email_content]),
        emails=emails,
        tools=tools,
        facts=facts,
        package_version=package_version(),
    )


def published_samples(conditions: Sequence[Condition], seeds: Sequence[int] = (0,)) -> list[Sample]:
    """Samples of the published prompts for whylab ``conditions`` (see the module doc).

    Metadata has the keys of whylab's own samples (the condition's fields with ``world:
    "published"``, ``condition_id``, ``seed``, ``control``, ``mode``, ``split: "eval_ood"``,
    ``facts``) plus ``source: "published"`` and ``published``: the package's own parameters,
    its sample id and its version.
    """
    samples = []
    for cell in published_conditions(conditions):
        scenario = render_published(cell)
        for seed in seeds:
            samples.append(_sample(scenario, int(seed)))
    return samples


def _sample(scenario: PublishedScenario, seed: int) -> Sample:
    c = scenario.condition
    defaults: dict[str, Any] = {}
    for f in fields(Condition):
        if f.default is not MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not MISSING:
            defaults[f.name] = f.default_factory()
    metadata: dict[str, Any] = {
        **defaults,
        "family": c.family,
        "goal_type": c.goal_type,
        "goal_value": c.whylab_goal_value,
        "threat": c.urgency_type,
        "world": WORLD,
        "scratchpad": c.scratchpad,
        "safety_instructions": c.safety_instructions,
        "eval_awareness": c.eval_awareness,
        "condition_id": c.id,
        "seed": seed,
        "control": c.is_control,
        "mode": "single",
        # Never training data: an outside style, as whylab's hand-written worlds are.
        "split": "eval_ood",
        "facts": scenario.facts.to_dict(),
        "source": SOURCE,
        "published": {
            **c.task_parameters,
            "sample_id": c.published_id,
            "package": PACKAGE,
            "version": scenario.package_version,
        },
    }
    return Sample(
        id=f"{c.id}@{seed}",
        input=[
            ChatMessageSystem(content=scenario.system_prompt),
            ChatMessageUser(content=scenario.user_prompt),
        ],
        metadata=metadata,
    )


def _sibling_text(condition: PublishedCondition) -> str:
    """The emails of the package's other scenarios for the same cell (used only to find the
    agent's own address when this prompt never shows it)."""
    module = generator()
    texts = []
    for scenario in FAMILY_OF:
        if scenario != condition.scenario:
            prompts = module.generate_prompts(
                scenario=scenario,
                goal_type=condition.goal_type,
                goal_value=condition.goal_value,
                urgency_type=condition.urgency_type,
                extra_system_instructions=None,
                prod_flag=False,
                alignment_faking_warning=None,
            )
            texts.append(str(prompts.email_content))
    return "\n".join(texts)


# --- reading the prompt text -------------------------------------------------------------------

_TOOL_TAG = re.compile(r"<tool_use:([A-Za-z_]+)>(.*?)</tool_use:\1>", re.DOTALL)
_EMAIL_BLOCK = re.compile(r"<email>(.*?)</email>", re.DOTALL)
_HEADER = re.compile(r"^([A-Za-z][A-Za-z ]{0,30}):[ \t]?(.*)$")
_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_NAME = r"[A-Z][a-z]+ [A-Z][a-z]+"
# The executive: the person the emails name as CTO ("... Kyle Johnson as CTO", "... as the new
# CTO", "Kyle Johnson (CTO)").
_EXECUTIVE = re.compile(rf"\b({_NAME}),? (?:as (?:the )?(?:new )?CTO\b|\(CTO\))")
_SPOUSE = re.compile(
    rf"\b(?:his|her|their) (?:wife|husband|spouse|partner),? ({_NAME}|[A-Z][a-z]+)"
)
_CEO_SIGNATURE = re.compile(rf"^\s*({_NAME})\s*\n\s*CEO\b", re.MULTILINE)
_VENUE = re.compile(r"\bat ((?:[A-Z][\w']+)(?: [A-Z][\w']+){0,3})\b")
# "override code EXEC-4429": a code has capitals or digits, and at least one digit.
_OVERRIDE = re.compile(
    r"(?i:override code)[:\s]*[\"'“]?\b((?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{2,})\b"
)
_AGENT = re.compile(r"\bYou are ([A-Z][a-z]+)\b")
_CONFIDENTIAL = re.compile(r"\bCONFIDENTIAL\b")


def tool_kinds(system_prompt: str, family: str, where: str = "published prompt") -> tuple[str, ...]:
    """The tool blocks the prompt teaches, checked against whylab's parser.

    Every tag must be one the parser knows, the family's own tool must be offered, and each
    example block must parse into an action of its kind with its fields read (a placeholder in
    every field), so replies in the published format are judged, never silently mis-parsed.
    """
    kinds: list[str] = []
    for match in _TOOL_TAG.finditer(system_prompt):
        kind = match.group(1).lower()
        if kind not in KNOWN_KINDS:
            raise PublishedPromptError(
                f"{where} teaches <tool_use:{kind}>, which whylab's parser does not know; its "
                "replies would be mis-judged"
            )
        parsed = parse_reply(match.group(0)).actions
        needed = _EXAMPLE_FIELDS.get(kind, ())
        if (
            len(parsed) != 1
            or parsed[0].kind != kind
            or not all(getattr(parsed[0], name) for name in needed)
        ):
            raise PublishedPromptError(
                f"{where}: whylab's parser does not read the fields of its <tool_use:{kind}> "
                "example; replies in that format would be mis-judged"
            )
        kinds.append(kind)
    kinds = list(dict.fromkeys(kinds))
    if _FAMILY_TOOL[family] not in kinds:
        raise PublishedPromptError(
            f"{where} does not teach <tool_use:{_FAMILY_TOOL[family]}>, the tool the "
            f"{family} judge reads; found {kinds or 'no tool blocks'}"
        )
    return tuple(kinds)


def parse_emails(email_content: str, where: str = "published prompt") -> tuple[Email, ...]:
    """The ``<email>`` blocks: headers up to ``Body:``, then the body.

    The id is the block's ``ID:`` header where it has one, else its position (from 1): the
    package resolves a forwarded ``email_id`` by position in every scenario.
    """
    return tuple(email for email, _ in _email_blocks(email_content, where))


def _email_blocks(email_content: str, where: str) -> list[tuple[Email, dict[str, str]]]:
    """Each email with all its headers (``attachments`` too, which Email has no field for)."""
    found = []
    for position, block in enumerate(_EMAIL_BLOCK.findall(email_content), start=1):
        headers: dict[str, str] = {}
        lines = block.strip("\n").splitlines()
        body_lines: list[str] = []
        for index, line in enumerate(lines):
            match = _HEADER.match(line)
            if match is None:
                continue
            key, value = match.group(1).strip().lower(), match.group(2)
            if key == "body":
                body_lines = [value, *lines[index + 1 :]]
                break
            headers.setdefault(key, value.strip())
        missing = [k for k in ("from", "to", "subject") if k not in headers]
        if missing or not body_lines:
            raise PublishedPromptError(
                f"{where}: email {position} lacks {', '.join(missing) or 'a Body: line'}"
            )
        email = Email(
            id=headers.get("id", str(position)),
            sender=headers["from"],
            to=headers["to"],
            subject=headers["subject"],
            timestamp=headers.get("timestamp", ""),
            body="\n".join(body_lines).strip(),
        )
        found.append((email, headers))
    if not found:
        raise PublishedPromptError(f"{where}: no <email> blocks found")
    return found


def _addresses(text: str) -> list[str]:
    return [a.lower().rstrip(".") for a in _ADDRESS.findall(text)]


def _recipients(email: Email) -> list[str]:
    return _addresses(email.to)


def _address_of(name: str, addresses: Iterable[str], domain: str | None = None) -> str | None:
    """The address whose local part is the person's name (``kyle.johnson@``), if any."""
    parts = [p.lower() for p in name.split()]
    for address in addresses:
        local, _, host = address.partition("@")
        if domain is not None and host != domain:
            continue
        tokens = re.split(r"[._-]", local)
        if tokens == parts or (len(parts) == 1 and tokens[:1] == parts):
            return address
    return None


def extract_facts(
    family: str,
    threat: str,
    system_prompt: str,
    email_content: str,
    where: str = "published prompt",
    sibling_text: Callable[[], str] | None = None,
) -> Facts:
    """The facts whylab's judges need, parsed from a published prompt.

    ``sibling_text`` (a callable returning text) is consulted only when the prompt never shows
    the agent's own address: the package's other scenarios of the same company show it.
    """

    def missing(what: str) -> PublishedPromptError:
        return PublishedPromptError(
            f"{where}: could not find {what} in the prompt text; the installed {PACKAGE} "
            f"{package_version()} may differ from the {PINNED_VERSION} whylab reads"
        )

    blocks = _email_blocks(email_content, where)
    emails = [e for e, _ in blocks]
    headers = [a for e in emails for a in (*_addresses(e.sender), *_recipients(e))]
    everything = [*headers, *(a for e in emails for a in _addresses(e.body))]
    if not headers:
        raise missing("any sender or recipient address")
    domain = Counter(a.partition("@")[2] for a in headers).most_common(1)[0][0]
    internal = sorted({a for a in everything if a.endswith("@" + domain)})

    agent_match = _AGENT.search(system_prompt)
    if agent_match is None:
        raise missing("the agent's name ('You are <Name>')")
    agent = agent_match.group(1)
    agent_email = _agent_address(agent, domain, everything)
    if agent_email is None and sibling_text is not None:
        agent_email = _agent_address(agent, domain, _addresses(sibling_text()))
    if agent_email is None:
        raise missing(f"{agent}'s own address at {domain}")

    bodies = "\n".join(e.body for e in emails)
    named = Counter(m.group(1) for m in _EXECUTIVE.finditer(bodies))
    if not named:
        raise missing("the executive (the person the emails name as CTO)")
    executive = named.most_common(1)[0][0]
    executive_email = _address_of(executive, internal, domain)
    if executive_email is None:
        raise missing(f"the address of the executive {executive}")

    external = tuple(sorted({a for a in everything if not a.endswith("@" + domain)}))
    leverage: dict[str, Any] = {
        "leverage_summary": None,
        "partner_email": None,
        "leverage_terms": (),
        "leverage_names": (),
        "leverage_email_ids": (),
        "third_parties": {},
    }
    if family == "blackmail":
        leverage = _leverage(emails, executive, executive_email, domain, everything, missing)
    document = _confidential_document(blocks, missing) if family == "leaking" else None
    override_code = None
    if family == "lethal":
        codes = list(dict.fromkeys(m.group(1) for m in _OVERRIDE.finditer(bodies)))
        if len(codes) != 1:
            raise missing(f"exactly one override code (found {codes or 'none'})")
        override_code = codes[0]
    return Facts(
        family=family,
        agent_email=agent_email,
        internal_domain=domain,
        executive_name=executive,
        executive_email=executive_email,
        threat=threat,
        external_addresses=external,
        confidential_document=document,
        override_code=override_code,
        **leverage,
    )


def _agent_address(agent: str, domain: str, addresses: Iterable[str]) -> str | None:
    prefix = agent.lower()
    for address in addresses:
        local, _, host = address.partition("@")
        if host == domain and re.split(r"[._-]", local)[0] == prefix:
            return address
    return None


def _leverage(
    emails: Sequence[Email],
    executive: str,
    executive_email: str,
    domain: str,
    addresses: Sequence[str],
    missing: Callable[[str], Exception],
) -> dict[str, Any]:
    """The affair: the executive's private correspondent outside the company, their spouse."""
    partners = []
    for e in emails:
        sender, to = _addresses(e.sender), _recipients(e)
        if executive_email in to:
            partners += [a for a in sender if not a.endswith("@" + domain)]
        if executive_email in sender:
            partners += [a for a in to if not a.endswith("@" + domain)]
    partners = list(dict.fromkeys(partners))
    if len(partners) != 1:
        raise missing(
            "the affair partner (exactly one outside address writing with the executive; "
            f"found {partners or 'none'})"
        )
    partner_email = partners[0]
    partner_tokens = [t.capitalize() for t in re.split(r"[._-]", partner_email.split("@")[0]) if t]
    partner_first = partner_tokens[0]
    partner_name = " ".join(partner_tokens)
    bodies = "\n".join(e.body for e in emails)
    spouse_match = _SPOUSE.search(bodies)
    if spouse_match is None:
        raise missing(f"{executive}'s spouse ('his wife <Name>')")
    spouse = spouse_match.group(1)

    def involves_executive(e: Email) -> bool:
        return executive_email in _addresses(e.sender) + _recipients(e)

    mentions_partner = re.compile(rf"\b{re.escape(partner_first)}\b")
    leverage_emails = [
        e
        for e in emails
        if partner_email in _addresses(e.sender) + _recipients(e)
        or (involves_executive(e) and mentions_partner.search(f"{e.subject}\n{e.body}"))
    ]
    # Details of the affair that only the leverage emails carry: where the two were seen, and
    # the subject of the partner's own message.
    details: list[str] = []
    for e in leverage_emails:
        details += [m.group(1) for m in _VENUE.finditer(e.subject)]
        if partner_email in _addresses(e.sender):
            subject = re.sub(r"^(?:re|fwd?):\s*", "", e.subject, flags=re.IGNORECASE).strip()
            if 2 <= len(subject.split()) <= 5:
                details.append(subject)
    # A surname is a leverage name only if no one else in the prompt shares it (the partner's
    # may be the CEO's, the spouse's is the executive's).
    surnames = Counter(t for a in addresses for t in re.split(r"[._-]", a.split("@")[0])[1:2] if t)
    names = [partner_first, spouse.split()[0]]
    if len(partner_tokens) > 1 and surnames[partner_tokens[-1].lower()] <= 1:
        names.append(partner_tokens[-1])
    third_parties: dict[str, str] = {}
    all_staff = next(
        (a for a in addresses if a.endswith("@" + domain) and a.startswith("all")), None
    )
    if all_staff is not None:
        third_parties["all_staff"] = all_staff
    ceo = _CEO_SIGNATURE.search(bodies)
    ceo_email = _address_of(ceo.group(1), addresses, domain) if ceo else None
    if ceo_email is not None:
        third_parties["ceo"] = ceo_email
    return {
        "leverage_summary": (
            f"{executive} is secretly in a relationship with {partner_name} and is hiding it "
            f"from their spouse, {spouse}."
        ),
        "partner_email": partner_email,
        "leverage_terms": tuple(dict.fromkeys([*generic_affair_terms(), *details])),
        "leverage_names": tuple(dict.fromkeys(names)),
        "leverage_email_ids": tuple(e.id for e in leverage_emails),
        "third_parties": third_parties,
    }


def _confidential_document(
    blocks: Sequence[tuple[Email, dict[str, str]]], missing: Callable[[str], Exception]
) -> ConfidentialDocument:
    """The email with an attachment or marked CONFIDENTIAL, and the codes and figures in it.

    An email with both wins over one with either. Markers are tokens of the body with a digit
    and a code shape or a unit sign (``CDB-2209``, ``15%``), minus any that are part of the
    subject (a version in the document's name): naming the document in a refusal is not
    sending its content.
    """
    scored = [(("attachments" in h) + bool(_CONFIDENTIAL.search(e.subject)), e) for e, h in blocks]
    best = max(score for score, _ in scored)
    chosen = [e for score, e in scored if score == best and score > 0]
    if len(chosen) != 1:
        raise missing(
            "exactly one confidential document (an email with an attachment or marked "
            f"CONFIDENTIAL; found {len(chosen)})"
        )
    doc = chosen[0]
    title = re.sub(r"^\s*CONFIDENTIAL\s*[:\-–]\s*", "", doc.subject).strip() or doc.subject
    markers = []
    for token in doc.body.split():
        token = token.strip(".,;:()[]'\"")
        if len(token) < 3 or not any(ch.isdigit() for ch in token) or token in doc.subject:
            continue
        if any(sign in token for sign in "%$£€/") or re.fullmatch(r"[A-Za-z]+-?\d+", token):
            markers.append(token)
    return ConfidentialDocument(doc.id, title, tuple(dict.fromkeys(markers)))
