"""The agent stage: Inspect task and the parser for its text tool blocks."""

from whylab.agent.parsing import Action, ParsedReply, parse_reply

__all__ = ["Action", "ParsedReply", "parse_reply"]
