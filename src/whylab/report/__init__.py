"""Reporting: result tables built from Inspect logs."""

from whylab.report.table import RateRow, format_table, rate_rows

__all__ = ["RateRow", "format_table", "rate_rows"]
