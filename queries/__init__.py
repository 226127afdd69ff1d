"""The data layer: workspace, importers, sessions, samples, tags, signals, report and export.

Nothing in this package imports Textual, so the CLI, the app and the tests share it.
"""
