"""Everything a person reads: summary, tables, the project-list appendix, maps and the HTML map."""
