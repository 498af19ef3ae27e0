"""Model providers whylab registers with Inspect."""
