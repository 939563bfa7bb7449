"""RulePolicy, with the dialogue states of prediction made from the conversation's end only.

config.yml:
    policies:
      - name: bot.policies.ConversationEndRulePolicy    # RulePolicy's options, unchanged

Rasa 3.6's RulePolicy turns the *whole* conversation into dialogue states on every prediction
(replaying every event into a fresh tracker, twice or three times a message), then matches its
rules against them, although a rule can only look at its own length of the conversation's end:
9.7 of 45.8 ms a message in a 30-message conversation, growing with the conversation. Here the
states are made from the conversation's end only, as many as the longest rule has. They are the
same states: a state holds the last user message, the previous action, the active loop and the
featurised slots, so this is done only when the domain has no forms and no slot that influences
the conversation, and the end taken reaches back to the user message and the action before the
first state kept; a conversation with a restart, session start or undo in that end, a loop
anywhere, or shorter than the longest rule, takes Rasa's own path. Training keeps Rasa's path too.
tests/bot/test_policies.py compares the states both ways at every prefix of a long conversation,
and the predictions.

Its predictions carry the policy name `ConversationEndRulePolicy` (in `ActionExecuted.policy`).
Rasa's training-time check "RulePolicy is not included in the model's policy configuration" tests
for the class itself, not a subclass: that one warning is silenced below, as it is untrue here.

Upgrading Rasa: `_prediction_states` is a protected method of Rasa's `Policy`, called by
RulePolicy's rule matching; re-run tests/bot/test_policies.py, and check that a dialogue state
still holds nothing beyond the user message, the previous action, the active loop and the slots.
"""

from __future__ import annotations

import json
import warnings
from typing import Any, Dict, List, Optional

from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

# Events after which the states of the conversation's end depend on more than that end.
_CHANGES_HISTORY = (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted, ActiveLoop)

# Rasa's recipe validator looks for `RulePolicy` itself (`node.uses == RulePolicy`) when it warns
# that restart and back will not work; this subclass handles them as RulePolicy does.
warnings.filterwarnings("ignore", message="'RulePolicy' is not included in the model's policy configuration")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class ConversationEndRulePolicy(RulePolicy):
    _longest: Optional[int] = None

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        self._longest = None  # the rules change
        return super().train(training_trackers, domain, **kwargs)

    def longest_rule(self) -> int:
        """How many dialogue states the longest of the policy's rules looks at."""
        if self._longest is None:
            keys = [*self.lookup.get(RULES, {}), *self.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
            self._longest = max((len(json.loads(key)) for key in keys), default=0)
        return self._longest

    def _prediction_states(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        use_text_for_last_user_input: bool = False,
        rule_only_data: Optional[Dict[str, Any]] = None,
    ) -> List[State]:
        """RulePolicy's states for prediction, made from the conversation's end (see above)."""
        end = None
        if (
            not isinstance(tracker, TrackerWithCachedStates)  # training keeps Rasa's way
            and not domain.form_names
            and not any(slot.influence_conversation for slot in domain.slots)
        ):
            longest = self.longest_rule()
            if longest:
                end = conversation_end(tracker, longest)
        if end is None:
            return super()._prediction_states(tracker, domain, use_text_for_last_user_input, rule_only_data)
        states = super()._prediction_states(end, domain, use_text_for_last_user_input, rule_only_data)
        return states[-self.longest_rule() :]


def conversation_end(tracker: DialogueStateTracker, states: int) -> Optional[DialogueStateTracker]:
    """A tracker of the conversation's end whose last `states` dialogue states are the tracker's.

    A state is made before each action and once at the end; it holds the latest user message and
    the latest action before it (with no forms or influencing slots, nothing else). So the end
    starts at the user message or the action before the first state kept, whichever is earlier.
    None when the conversation is too short for that, has had a loop, or its end restarts or undoes
    anything.
    """
    if any(isinstance(event, ActiveLoop) and event.name for event in tracker.events):
        return None  # Rasa drops a loop's repeated runs anywhere in the history (applied_events)
    actions_before = states - 1  # the states kept before actions; the last state is the end
    tail: List[Event] = []
    actions = 0
    first_kept_found = actions_before == 0
    user_found = action_found = False
    for event in reversed(tracker.events):
        if isinstance(event, _CHANGES_HISTORY):
            return None
        tail.append(event)
        if first_kept_found:
            user_found = user_found or isinstance(event, UserUttered)
            action_found = action_found or isinstance(event, ActionExecuted)
            if user_found and action_found:
                break
        elif isinstance(event, ActionExecuted):
            actions += 1
            first_kept_found = actions == actions_before
    else:
        return None
    end = tracker.init_copy()
    for event in reversed(tail):
        end.update(event)
    return end
