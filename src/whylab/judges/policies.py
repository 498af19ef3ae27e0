"""The judging policies' names, kept free of imports so the CLI can offer them cheaply."""

POLICIES = ("auto", "actions", "grader", "both")
