"""`python -m conversations.exports > docs/data-dictionary.md`: the data dictionary."""

import sys

from conversations.exports.dictionary import render

sys.stdout.write(render())
