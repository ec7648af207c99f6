"""How large a truth table may be: stated here once, for the tables, the expression language and the interface.

Eight inputs make 256 rows, the most the truth-table pane, the Karnaugh maps and a sweep's stacked batch are laid out
for; four outputs are the most the table's answer columns show side by side at 80x24. The expression language names
one variable per input (``a`` to ``h``) and takes one ``;``-separated expression per output, so its letters and its
output count come from here too.
"""

from __future__ import annotations

import string

MIN_INPUTS, MAX_INPUTS = 1, 8
MIN_OUTPUTS, MAX_OUTPUTS = 1, 4
VARIABLES = string.ascii_lowercase[:MAX_INPUTS]  # the expression language's names of the inputs, in column order

# The rules as the lab states them, in its errors and in the table pane's warnings.
INPUTS_RULE = f"a table has {MIN_INPUTS} to {MAX_INPUTS} inputs"
OUTPUTS_RULE = f"a table has {MIN_OUTPUTS} to {MAX_OUTPUTS} outputs"
