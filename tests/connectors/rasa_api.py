"""What Rasa 3.6's `POST /conversations/<id>/tracker/events?output_channel=…&execute_side_effects=true`
does with the bot events, done with Rasa's own functions: the output channel is found among the
server's input channels by the name of the conversation's latest input channel (`rasa.server.
_get_output_channel`), and the messages are sent through it (`MessageProcessor._send_bot_messages`,
what `execute_side_effects` calls). An exception raised here is what Rasa turns into its HTTP 500."""

from __future__ import annotations

from types import SimpleNamespace
from typing import List, Optional, Sequence

from rasa.core.channels.channel import InputChannel, OutputChannel
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def output_for(
    channels: Sequence[InputChannel], sender: str, latest: Optional[str], requested: str = "latest"
) -> OutputChannel:
    """The output channel Rasa's API picks for `sender`, whose last message came in on `latest`."""
    from rasa.server import _get_output_channel  # TensorFlow & co.: imported when a test runs

    events: List = [UserUttered("xin chào", input_channel=latest)] if latest else []
    tracker = DialogueStateTracker.from_events(sender, events)
    request = SimpleNamespace(
        args={"output_channel": requested}, app=SimpleNamespace(ctx=SimpleNamespace(input_channels=list(channels)))
    )
    return _get_output_channel(request, tracker)


async def push(
    channels: Sequence[InputChannel], sender: str, latest: Optional[str], *texts: str, requested: str = "latest"
) -> OutputChannel:
    """Send bot events with these texts to `sender` as the API call would; returns the output used."""
    from rasa.core.processor import MessageProcessor

    output = output_for(channels, sender, latest, requested)
    tracker = DialogueStateTracker.from_events(sender, [])
    await MessageProcessor._send_bot_messages([BotUttered(t) for t in texts], tracker, output)
    return output
