"""Everything a person reads: summary, tables, the project-list appendix, maps and the HTML map.

Entry points (imported from their modules, so that ``import reports`` stays light):

- ``reports.summary``: ``summary_dict`` (summary.json), ``summary_markdown`` (summary.md), ``summary_console``;
- ``reports.projects``: ``project_table`` (the 重点项目清单 rows; naming rules in its docstring);
- ``reports.placements``: GeoPackage layers and CSV copies (UTF-8 with BOM);
- ``reports.appendix``: ``appendix.xlsx`` and ``appendix.docx``;
- ``reports.writer``: ``write_run`` (a whole run folder) and ``rerender_run`` (``healthplan report RUN_DIR``);
- ``reports.maps`` / ``reports.htmlmap``: print maps and the interactive map.
"""
