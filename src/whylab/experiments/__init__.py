"""Experiments: a YAML spec of arms x grid x epochs, run and resumed with Inspect's eval_set."""

from whylab.experiments.runner import export_results, results_table, run_experiment, status
from whylab.experiments.spec import Arm, ExperimentSpec, SpecError, load_spec, parse_spec

__all__ = [
    "Arm",
    "ExperimentSpec",
    "SpecError",
    "export_results",
    "load_spec",
    "parse_spec",
    "results_table",
    "run_experiment",
    "status",
]
