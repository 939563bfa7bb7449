"""Custom actions, one module per topic. `rasa run actions --actions bot.actions` loads them.

Settings are validated here, when the action server starts: a bad value stops it with a
message naming the variable, instead of failing on a citizen's first question.
"""

from motcua.settings import get_settings

get_settings()
