"""Bounds on what one template may cost, so a hostile or careless template cannot hang a worker.

Every bound is checked where the resource is consumed; exceeding one is an error, never a
truncation, so that a process model never sends a silently shortened SMS.
"""

from __future__ import annotations

# A template arrives as a process variable or a small file; an SMS body is at most 1,600 chars.
MAX_TEMPLATE_CHARS = 65_536
# UTF-8 needs at most 4 bytes per character: more bytes cannot decode to an acceptable template.
MAX_TEMPLATE_BYTES = 4 * MAX_TEMPLATE_CHARS
# Compiling costs about 125 microseconds and 8 KB of transient memory per piece (a text run,
# tag, interpolation or expression token; see bench/hostile_templates.py), and the compiled
# template keeps about 0.3-2 KB per piece: this bounds one compile to about 0.5 s and 35 MB.
# A realistic SMS template has a few hundred pieces.
MAX_TEMPLATE_PIECES = 4_000
# Compiled templates are cached up to this estimated size in total (least recently used out).
COMPILED_CACHE_BYTES = 32 * 1024 * 1024
MAX_OUTPUT_CHARS = 65_536
# Any string or sequence value built while rendering (concatenation, join, ...).
MAX_STRING_CHARS = 65_536
MAX_SEQUENCE_ITEMS = 10_000
# Iterations summed over every loop of one render.
MAX_LOOP_ITERATIONS = 10_000
MAX_RANGE_SIZE = 10_000
MAX_RENDER_SECONDS = 1.0
# The render's work budget (see `budget`): a unit is about one character or item touched by
# one C-level operation; evaluating one template node costs WORK_PER_NODE. Calibrated with
# bench/hostile_templates.py: the costliest operations run at up to ~30 ns a unit, so a
# render stops within about 0.3 s of CPU; the realistic corpus needs at most ~6,600 units.
MAX_RENDER_WORK = 10_000_000
WORK_PER_NODE = 20
WORK_PER_CLOCK_CHECK = 100_000
# Nested directives become nested Python blocks, which CPython caps at 20.
MAX_DIRECTIVE_NESTING_DEPTH = 12
# Nested expressions become nested calls; deep ones would hit the recursion limit.
MAX_EXPRESSION_DEPTH = 48
# `?switch`'s cases become nested conditionals (compile_switch.py): as deep as half of these.
MAX_SWITCH_ARGUMENTS = 64
# Numbers beyond this many integer digits are refused so repeated multiplication cannot eat
# memory (FreeMarker's BigDecimals have no bound).
MAX_NUMBER_DIGITS = 100
MAX_NUMBER_LITERAL_DIGITS = 40
