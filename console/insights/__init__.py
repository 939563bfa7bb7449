"""The insights: what citizens ask and how the assistant answered, from Rasa's event stream.

- `tables`: `events` (Rasa's SQL broker table), `insight_cursor`, `insight_turns`.
- `classify`: a conversation's events → turns (one per citizen message) with their outcome. Pure.
- `textkey`: the normalised text that groups the same question typed differently.
- `ingest`: the background task of the console reading the events (SQL, or RabbitMQ) into turns.
- `retention`: turns and raw events older than the setting are deleted.

Nothing is imported here, so using one module costs no other's imports.
"""
